package com.speechbot.bench.load;

import java.util.Map;

/**
 * fanout: K chats x N members; the first S members of each chat send (at --rate each, or --closed-loop). Measures
 * delivered new_message events/s and the latency of every member's receipt.
 */
final class FanoutScenario extends MessageScenario {

    FanoutScenario(Options options, String runId) {
        super(options, runId, new MessageTraffic(options, runId, options.closedLoop, options.window, options.rate));
    }

    @Override
    String progress() {
        return String.format(java.util.Locale.ROOT, "sent %,d  delivered %,d  errors %,d",
                traffic.sentTotal.sum(), events.total("new_message"), events.errorCount());
    }

    @Override
    void report(Result r) {
        Window w = window;
        Map<String, Object> m = r.section("fanout");
        long sent = traffic.sentInWindow.sum();
        long delivered = traffic.deliveredInWindow.sum();
        long expected = traffic.expectedReceipts.sum();
        long received = traffic.receivedOfWindow.sum();
        m.put("mode", options.closedLoop ? "closed-loop" : "rate");
        m.put("messages_sent", sent);
        m.put("messages_sent_per_s", Result.round1(w.perSecond(sent)));
        m.put("delivered_events", delivered);
        m.put("delivered_per_s", Result.round1(w.perSecond(delivered)));
        m.put("expected_receipts", expected);
        m.put("received_receipts", received);
        m.put("delivery_ratio", expected == 0 ? null : Math.round(received * 10000.0 / expected) / 10000.0);
        m.put("ack_timeouts", traffic.ackTimeouts.sum());
        m.put("send_errors", traffic.sendErrors.sum());
        r.put("latency", traffic.delivery.summary());
        r.put("ack_latency", traffic.ack.summary());
        if (!options.closedLoop) {
            r.put("send_lateness", traffic.sendLateness.summary());
        }
        r.line("Fanout: %d chats x %d members, %d sender(s)/chat, %s", options.chats, options.members, options.senders, traffic.mode());
        r.line("  sent        %,d msgs in %.1f s = %,.1f msg/s", sent, w.seconds, w.perSecond(sent));
        r.line("  delivered   %,d new_message events = %,.1f events/s", delivered, w.perSecond(delivered));
        r.line("  receipts    %,d of %,d expected for messages sent in the window (%.2f%%)", received, expected,
                expected == 0 ? 0.0 : received * 100.0 / expected);
        r.line("  latency     %s", traffic.delivery.line());
        r.line("  own echo    %s", traffic.ack.line());
        if (!options.closedLoop) {
            r.line("  tool lateness (actual - intended send) %s", traffic.sendLateness.line());
        }
    }
}
