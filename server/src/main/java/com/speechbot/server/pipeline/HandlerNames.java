package com.speechbot.server.pipeline;

/** Names of the pipeline's handlers, so tests and the WebSocket upgrade can find and replace them. */
public final class HandlerNames {
    public static final String HTTP_CODEC = "http-codec";
    public static final String HTTP_AGGREGATOR = "http-aggregator";
    public static final String HTTP_HANDLER = "http-handler";
    public static final String WS_IDLE = "ws-idle";
    public static final String WS_AGGREGATOR = "ws-aggregator";
    public static final String WS_HANDLER = "ws-handler";

    private HandlerNames() {}
}
