package com.speechbot.bench.load;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * typing: K chats x N members, every member sends typing{is_typing:true} at --rate; counts the typing_indicator
 * events received (expected: N-1 per typing sent). Latency is approximate: receipt time minus the named typer's
 * latest typing send, exact while the period is much longer than the latency.
 */
final class TypingScenario extends Scenario {

    private static final String TYPING = "{\"type\":\"typing\",\"data\":{\"is_typing\":true}}";

    private final Latency latency = new Latency();
    private final Latency lateness = new Latency();
    private final LongAdder sentTotal = new LongAdder();
    private final LongAdder sentInWindow = new LongAdder();
    private final LongAdder expected = new LongAdder();
    private final LongAdder receivedInWindow = new LongAdder();
    private AtomicLongArray lastSent;
    /** chat index -> user id -> connection index; read-only once traffic starts. */
    private final Map<String, Integer> typerIndex = new HashMap<>();

    TypingScenario(Options options, String runId) {
        super(options, runId);
    }

    @Override
    void start(Window w) {
        int[] perChat = openPerChat();
        lastSent = new AtomicLongArray(options.totalConnections());
        for (WsConnection c : connections) {
            typerIndex.put(c.chat.index() + "/" + c.userId, c.index);
        }
        for (WsConnection c : connections) {
            int others = Math.max(0, perChat[c.chat.index()] - 1);
            Pacer.start(c, options.rate, w, lateness, intended -> {
                // Published before the write: a receiver on another loop may read the indicator before send returns.
                lastSent.set(c.index, System.nanoTime());
                if (c.send(TYPING)) {
                    sentTotal.increment();
                    if (w.inWindow(intended)) {
                        sentInWindow.increment();
                        expected.add(others);
                    }
                }
            });
        }
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {
        if (!"typing_indicator".equals(e.type) || !e.isTyping) {
            return;
        }
        Window w = window;
        if (w.inWindow(now)) {
            receivedInWindow.increment();
        }
        Integer from = e.userId == null ? null : typerIndex.get(c.chat.index() + "/" + e.userId);
        if (from != null) {
            long sent = lastSent.get(from);
            if (sent != 0 && w.inWindow(sent) && now >= sent) {
                latency.recordNanos(now - sent);
            }
        }
    }

    @Override
    String progress() {
        return String.format(java.util.Locale.ROOT, "typing sent %,d  indicators %,d  errors %,d",
                sentTotal.sum(), events.total("typing_indicator"), events.errorCount());
    }

    @Override
    void report(Result r) {
        Window w = window;
        Map<String, Object> m = r.section("typing");
        long sent = sentInWindow.sum();
        long received = receivedInWindow.sum();
        long exp = expected.sum();
        m.put("typing_sent", sent);
        m.put("typing_sent_per_s", Result.round1(w.perSecond(sent)));
        m.put("indicators_received", received);
        m.put("indicators_per_s", Result.round1(w.perSecond(received)));
        m.put("indicators_expected", exp);
        m.put("indicator_ratio", exp == 0 ? null : Math.round(received * 10000.0 / exp) / 10000.0);
        r.put("latency", latency.summary());
        r.put("send_lateness", lateness.summary());
        r.line("Typing: %d chats x %d members, %.3g typing/s per member", options.chats, options.members, options.rate);
        r.line("  sent        %,d typing = %,.1f/s", sent, w.perSecond(sent));
        r.line("  received    %,d typing_indicator = %,.1f/s (%.2f%% of %,d expected)", received, w.perSecond(received),
                exp == 0 ? 0.0 : received * 100.0 / exp, exp);
        r.line("  latency ~   %s", latency.line());
    }
}
