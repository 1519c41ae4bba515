package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.List;

/** A scenario driven by {@link MessageTraffic}: the first S members of each chat send, every member receives. */
abstract class MessageScenario extends Scenario {

    final MessageTraffic traffic;

    MessageScenario(Options options, String runId, MessageTraffic traffic) {
        super(options, runId);
        this.traffic = traffic;
    }

    @Override
    void start(Window w) {
        List<WsConnection> senders = new ArrayList<>();
        for (WsConnection c : connections) {
            if (c.member < options.senders) {
                senders.add(c);
            }
        }
        traffic.start(w, senders, openPerChat());
    }

    @Override
    void tick(long now) {
        traffic.tick();
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {
        if ("new_message".equals(e.type)) {
            traffic.onNewMessage(c, e, now);
        } else if ("error".equals(e.type)) {
            traffic.onError(c, e, now);
        }
    }
}
