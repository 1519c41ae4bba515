package com.speechbot.bench.load;

/** Receives a connection's server events on that connection's event loop. */
interface WsListener {

    /** @param nowNanos {@link System#nanoTime()} taken when the frame was read, before parsing */
    void onEvent(WsConnection c, InboundEvent e, long nowNanos);
}
