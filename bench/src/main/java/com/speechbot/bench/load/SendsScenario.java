package com.speechbot.bench.load;

import java.util.Map;

/**
 * sends: persisted send throughput. C connections (one chat each unless --members > 1) send_message closed-loop with
 * --window W outstanding; an acknowledgement is the sender's own new_message echo (on our server: after the commit).
 */
final class SendsScenario extends MessageScenario {

    SendsScenario(Options options, String runId) {
        super(options, runId, new MessageTraffic(options, runId, true, options.window, options.rate));
    }

    @Override
    String progress() {
        return String.format(java.util.Locale.ROOT, "sent %,d  acks(in window) %,d  errors %,d",
                traffic.sentTotal.sum(), traffic.acksInWindow.sum(), events.errorCount());
    }

    @Override
    void report(Result r) {
        Window w = window;
        Map<String, Object> m = r.section("sends");
        long acks = traffic.acksInWindow.sum();
        long sent = traffic.sentInWindow.sum();
        m.put("acks", acks);
        m.put("acks_per_s", Result.round1(w.perSecond(acks)));
        m.put("messages_sent", sent);
        m.put("messages_sent_per_s", Result.round1(w.perSecond(sent)));
        m.put("delivered_per_s", Result.round1(w.perSecond(traffic.deliveredInWindow.sum())));
        m.put("ack_timeouts", traffic.ackTimeouts.sum());
        m.put("send_errors", traffic.sendErrors.sum());
        r.put("ack_latency", traffic.ack.summary());
        r.line("Sends: %d connections in %d chats (%d member(s) each), closed loop, window %d",
                options.totalConnections(), options.chats, options.members, options.window);
        r.line("  acks        %,d in %.1f s = %,.1f acks/s", acks, w.seconds, w.perSecond(acks));
        r.line("  ack latency %s", traffic.ack.line());
        r.line("  timeouts    %,d   send errors %,d", traffic.ackTimeouts.sum(), traffic.sendErrors.sum());
    }
}
