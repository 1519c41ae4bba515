package com.speechbot.server.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/** Tracks open connections so shutdown can stop keep-alive, let in-flight requests finish and close sockets. */
public final class Lifecycle {

    private final ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean draining;

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestFinished() {
        inFlight.decrementAndGet();
    }

    /** HTTP requests accepted and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    void register(Channel ch) {
        connections.add(ch);
    }

    public ChannelGroup connections() {
        return connections;
    }

    public boolean isDraining() {
        return draining;
    }

    public void startDraining() {
        draining = true;
    }
}
