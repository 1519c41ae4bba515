package com.speechbot.server.hub;

import io.netty.channel.EventLoop;
import java.util.ArrayList;

/**
 * Batches flushes per event loop: writes mark their subscriber dirty and one task, queued behind the deliveries
 * already waiting on the loop, flushes each dirty channel once. Loop-confined.
 */
final class LoopFlusher implements Runnable {

    private final EventLoop loop;
    private ArrayList<Subscriber> dirty = new ArrayList<>();
    private ArrayList<Subscriber> spare = new ArrayList<>();
    private boolean scheduled;

    LoopFlusher(EventLoop loop) {
        this.loop = loop;
    }

    void markDirty(Subscriber s) {
        if (!s.dirty) {
            s.dirty = true;
            dirty.add(s);
        }
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        // Swap first: a flush can fire writability events that mark subscribers dirty again.
        ArrayList<Subscriber> batch = dirty;
        dirty = spare;
        for (int i = 0, n = batch.size(); i < n; i++) {
            Subscriber s = batch.get(i);
            s.dirty = false;
            s.unflushedBytes = 0;
            s.channel().flush();
        }
        batch.clear();
        spare = batch;
    }
}
