package com.speechbot.server.pipeline;

import com.speechbot.protocol.codec.Json;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.error.ErrorMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Builds and writes HTTP responses; every error leaves through {@link #writeError} in the spec's envelope. */
public final class HttpResponses {

    public static final String REQUEST_ID = "X-Request-Id";

    private HttpResponses() {}

    public static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, Object body, String requestId) {
        return bytes(alloc, status, Json.writeBytes(body), "application/json; charset=utf-8", requestId);
    }

    public static FullHttpResponse bytes(ByteBufAllocator alloc, HttpResponseStatus status, byte[] body, String contentType,
                                         String requestId) {
        ByteBuf buf = alloc.buffer(body.length).writeBytes(body);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (requestId != null) {
            res.headers().set(REQUEST_ID, requestId);
        }
        return res;
    }

    /** Writes the error envelope; {@code close} ends the connection after it (used when the request stream is unusable). */
    public static ChannelFuture writeError(ChannelHandlerContext ctx, ApiException e, String requestId, boolean close) {
        FullHttpResponse res = json(ctx.alloc(), HttpResponseStatus.valueOf(e.code().httpStatus()),
                ErrorMapper.envelope(e, requestId), requestId);
        return write(ctx, res, !close);
    }

    public static ChannelFuture write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
        return ctx.writeAndFlush(res);
    }
}
