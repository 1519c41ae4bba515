package com.speechbot.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import java.util.List;
import java.util.Map;

/** Takes over a connection whose request asks to switch protocols; it owns (and releases) {@code request}. */
@FunctionalInterface
public interface UpgradeHandler {
    void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Map<String, String> pathParams,
                 Map<String, List<String>> query, String userId, String requestId);
}
