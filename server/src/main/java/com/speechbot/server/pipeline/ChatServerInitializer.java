package com.speechbot.server.pipeline;

import com.speechbot.server.config.ServerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * One named handler per concern: the HTTP codec (limits from config), the body aggregator that refuses oversized
 * bodies with 413, and the request handler. A WebSocket upgrade later swaps the HTTP handlers for frame handlers.
 */
public final class ChatServerInitializer extends ChannelInitializer<SocketChannel> {

    private final ServerConfig.Http http;
    private final HttpServices services;

    public ChatServerInitializer(ServerConfig.Http http, HttpServices services) {
        this.http = http;
        this.services = services;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        services.lifecycle().register(ch);
        ChannelPipeline p = ch.pipeline();
        p.addLast(HandlerNames.HTTP_CODEC, new HttpServerCodec(http.maxInitialLineBytes(), http.maxHeaderBytes(), 65536));
        p.addLast(HandlerNames.HTTP_AGGREGATOR, new BodyLimitAggregator(http.maxBodyBytes()));
        p.addLast(HandlerNames.HTTP_HANDLER, new HttpRequestHandler(services));
    }
}
