package com.speechbot.bench.load;

import java.util.List;

/**
 * One load shape. The runner provisions chats, opens the sockets (this scenario is their listener), calls
 * {@link #prepare}, then {@link #start} with the measurement {@link Window}, {@link #tick} about once a second,
 * {@link #stop} at the end of the window and {@link #report} after the drain.
 */
abstract class Scenario implements WsListener {

    final Options options;
    final String runId;
    final EventCounts events = new EventCounts();
    volatile Window window;
    List<WsConnection> connections = List.of();

    Scenario(Options options, String runId) {
        this.options = options;
        this.runId = runId;
    }

    /** Chats are created with the bot on (bot scenario) or off. */
    boolean botEnabled() {
        return false;
    }

    /** Before any socket opens (idle: the server's baseline). */
    void beforeConnect(Result r) {}

    /** After the ramp, before traffic (receipts: the author's messages). */
    void prepare(Progress progress) throws InterruptedException {}

    abstract void start(Window w);

    /** About once a second from the runner's thread. */
    void tick(long now) {}

    /** The window ended: stop generating load (in-flight answers still count during the drain). */
    void stop() {}

    /**
     * After a window and its drain, with what the runner measured around it: true to run another window on the same
     * sockets (a rate sweep's next step), false to report. One window unless a scenario says otherwise.
     */
    boolean stepDone(Measurement m, Result r) {
        return false;
    }

    abstract void report(Result r);

    /** One short line for the per-second progress. */
    abstract String progress();

    /** After every socket was closed (idle: the server's connection gauge after close). */
    void afterClose(Result r) {}

    @Override
    public final void onEvent(WsConnection c, InboundEvent e, long now) {
        events.count(e, window, now);
        handle(c, e, now);
    }

    abstract void handle(WsConnection c, InboundEvent e, long now);

    /** Connections per chat index that are open right now. */
    int[] openPerChat() {
        int chats = options.chats;
        int[] n = new int[chats];
        for (WsConnection c : connections) {
            if (c.isOpen()) {
                n[c.chat.index()]++;
            }
        }
        return n;
    }

    static String sendMessageJson(String content, String clientMessageId) {
        return "{\"type\":\"send_message\",\"data\":{\"content\":\"" + content
                + "\",\"content_type\":\"text\",\"client_message_id\":\"" + clientMessageId + "\"}}";
    }
}
