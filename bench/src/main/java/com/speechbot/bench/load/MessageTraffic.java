package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * send_message traffic and its accounting, shared by fanout and sends. Senders publish either at a fixed rate
 * ({@link Pacer}, intended send times) or closed-loop with up to {@code window} messages outstanding, the next one
 * sent when the sender receives its own echo. Every {@code new_message} carrying one of our stamps is a delivery:
 * latency = receipt time - send time, for the sender and every other member alike.
 */
final class MessageTraffic {

    private final String runId;
    private final boolean closedLoop;
    private final int window;
    private final double rate;
    private final String padding;
    private final long ackTimeoutNanos;

    final Latency delivery = new Latency();
    final Latency ack = new Latency();
    final Latency sendLateness = new Latency();
    final LongAdder sentTotal = new LongAdder();
    final LongAdder sentInWindow = new LongAdder();
    final LongAdder expectedReceipts = new LongAdder();
    final LongAdder receivedOfWindow = new LongAdder();
    final LongAdder deliveredInWindow = new LongAdder();
    final LongAdder acksInWindow = new LongAdder();
    final LongAdder ackTimeouts = new LongAdder();
    final LongAdder sendErrors = new LongAdder();

    private volatile Window w;
    private int[] membersPerChat = new int[0];
    private final List<WsConnection> senders = new ArrayList<>();

    /** A sender's state; only touched on its connection's loop. */
    private static final class Sender {
        long seq;
        int outstanding;
        long lastProgress;
    }

    MessageTraffic(Options options, String runId, boolean closedLoop, int window, double rate) {
        this.runId = runId;
        this.closedLoop = closedLoop;
        this.window = window;
        this.rate = rate;
        this.padding = Stamp.padding(options.payload);
        this.ackTimeoutNanos = TimeUnit.SECONDS.toNanos(options.ackTimeoutSeconds);
    }

    void start(Window w, List<WsConnection> senders, int[] membersPerChat) {
        this.w = w;
        this.membersPerChat = membersPerChat;
        this.senders.addAll(senders);
        for (WsConnection c : senders) {
            Sender s = new Sender();
            c.state = s;
            if (closedLoop) {
                c.loop().execute(() -> {
                    s.lastProgress = System.nanoTime();
                    fill(c, s);
                });
            } else {
                Pacer.start(c, rate, w, sendLateness, intended -> send(c, s, intended));
            }
        }
    }

    private void fill(WsConnection c, Sender s) {
        while (s.outstanding < window) {
            long now = System.nanoTime();
            if (!w.sending(now) || !c.isOpen()) {
                return;
            }
            s.outstanding++;
            send(c, s, now);
        }
    }

    private void send(WsConnection c, Sender s, long stampNanos) {
        long seq = ++s.seq;
        String content = Stamp.format(stampNanos, c.index, seq, padding);
        if (!c.send(Scenario.sendMessageJson(content, "lt" + runId + "-" + c.index + "-" + seq))) {
            return;
        }
        sentTotal.increment();
        if (w.inWindow(stampNanos)) {
            sentInWindow.increment();
            expectedReceipts.add(membersPerChat[c.chat.index()]);
        }
    }

    /** A {@code new_message} arrived on {@code c}. */
    void onNewMessage(WsConnection c, InboundEvent e, long now) {
        long sent = Stamp.sendNanos(e.content);
        if (sent == Long.MIN_VALUE) {
            return;
        }
        Window w = this.w;
        if (w == null) {
            return;
        }
        boolean sentInWin = w.inWindow(sent);
        if (sentInWin) {
            delivery.recordNanos(now - sent);
            receivedOfWindow.increment();
        }
        if (w.inWindow(now)) {
            deliveredInWindow.increment();
        }
        if (Stamp.sender(e.content) == c.index && c.state instanceof Sender s) {
            if (sentInWin) {
                ack.recordNanos(now - sent);
            }
            if (w.inWindow(now)) {
                acksInWindow.increment();
            }
            if (closedLoop) {
                s.outstanding = Math.max(0, s.outstanding - 1);
                s.lastProgress = now;
                fill(c, s);
            }
        }
    }

    /** An {@code error} event: a refused send frees its closed-loop slot. */
    void onError(WsConnection c, InboundEvent e, long now) {
        if (e.clientMessageId != null && c.state instanceof Sender s) {
            sendErrors.increment();
            if (closedLoop) {
                s.outstanding = Math.max(0, s.outstanding - 1);
                s.lastProgress = now;
                fill(c, s);
            }
        }
    }

    /** Closed loop: a sender whose echoes stopped for --ack-timeout gives up on them and sends afresh. */
    void tick() {
        if (!closedLoop) {
            return;
        }
        for (WsConnection c : senders) {
            if (c.channel == null) {
                continue;
            }
            c.loop().execute(() -> {
                if (c.state instanceof Sender s && s.outstanding > 0) {
                    long now = System.nanoTime();
                    if (now - s.lastProgress > ackTimeoutNanos) {
                        ackTimeouts.add(s.outstanding);
                        s.outstanding = 0;
                        s.lastProgress = now;
                        fill(c, s);
                    }
                }
            });
        }
    }

    String mode() {
        return closedLoop ? "closed-loop (window " + window + ")" : String.format(java.util.Locale.ROOT, "%.3g msg/s per sender", rate);
    }
}
