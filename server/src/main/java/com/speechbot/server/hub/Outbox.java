package com.speechbot.server.hub;

import com.speechbot.server.metrics.ChatMeters;
import io.netty.channel.EventLoop;
import java.util.ArrayList;

/** A hub's subscribers on one event loop; only that loop touches the list, so delivery needs no locks. */
final class Outbox {

    final EventLoop loop;
    private final ChatMeters meters;
    private final ArrayList<Subscriber> subscribers = new ArrayList<>();

    Outbox(EventLoop loop, ChatMeters meters) {
        this.loop = loop;
        this.meters = meters;
    }

    void add(Subscriber s) {
        subscribers.add(s);
    }

    void remove(Subscriber s) {
        subscribers.remove(s);
    }

    /** Delivers to every subscriber but {@code except}; consumes one reference of {@code event}. */
    void deliver(OutboundEvent event, Subscriber except) {
        try {
            int written = 0;
            for (int i = 0, n = subscribers.size(); i < n; i++) {
                Subscriber s = subscribers.get(i);
                if (s != except && s.deliver(event)) {
                    written++;
                }
            }
            if (written > 0) {
                meters.eventsOut(event.type()).increment(written);
                meters.fanout(System.nanoTime() - event.createdNanos());
            }
        } finally {
            event.release();
        }
    }
}
