package com.speechbot.bench.load;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.CharsetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Drives one socket: the RFC 6455 handshake through Netty's {@link WebSocketClientHandshaker} (no extensions, so no
 * compression), then text frames to the listener, pongs for the server's pings, and the close handshake.
 */
final class WsClientHandler extends ChannelInboundHandlerAdapter {

    private static final int MAX_FRAME = 1 << 20;

    private final WebSocketClientHandshaker handshaker;
    private final WsConnection conn;
    private final WsListener listener;
    private final ConnectionStats stats;
    private final CompletableFuture<WsConnection> connected;
    private final long handshakeTimeoutMs;
    private ScheduledFuture<?> timeout;
    private int closeCode = 1006;
    private String closeReason = "";

    WsClientHandler(WebSocketClientHandshaker handshaker, WsConnection conn, WsListener listener, ConnectionStats stats,
                    CompletableFuture<WsConnection> connected, long handshakeTimeoutMs) {
        this.handshaker = handshaker;
        this.conn = conn;
        this.listener = listener;
        this.stats = stats;
        this.connected = connected;
        this.handshakeTimeoutMs = handshakeTimeoutMs;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        conn.channel = ctx.channel();
        timeout = ctx.executor().schedule(() -> {
            if (connected.completeExceptionally(new HandshakeFailure("handshake timeout"))) {
                ctx.close();
            }
        }, handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        handshaker.handshake(ctx.channel()).addListener(f -> {
            if (!f.isSuccess()) {
                fail(ctx, "handshake write failed: " + f.cause());
            }
        });
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!handshaker.isHandshakeComplete()) {
                if (msg instanceof FullHttpResponse res) {
                    finishHandshake(ctx, res);
                }
                return;
            }
            if (msg instanceof TextWebSocketFrame text) {
                long now = System.nanoTime();
                InboundEvent e = conn.scratch;
                if (EventParser.parse(text.content(), e)) {
                    listener.onEvent(conn, e, now);
                } else {
                    stats.malformedFrames.increment();
                }
            } else if (msg instanceof PingWebSocketFrame ping) {
                stats.pingsAnswered.increment();
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                closeCode = close.statusCode();
                closeReason = close.reasonText();
                if (!conn.closing) {
                    ctx.writeAndFlush(new CloseWebSocketFrame(closeCode == -1 ? 1000 : closeCode, ""))
                            .addListener(f -> ctx.close());
                } else {
                    ctx.close();
                }
            } else if (msg instanceof BinaryWebSocketFrame) {
                stats.binaryFrames.increment();
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void finishHandshake(ChannelHandlerContext ctx, FullHttpResponse res) {
        try {
            handshaker.finishHandshake(ctx.channel(), res);
        } catch (WebSocketClientHandshakeException e) {
            String body = res.content().toString(CharsetUtil.UTF_8);
            fail(ctx, "HTTP " + res.status().code() + (body.isBlank() ? "" : " " + abbreviate(body)));
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        if (p.get("ws-decoder") != null) {
            p.addAfter("ws-decoder", "ws-aggregator", new WebSocketFrameAggregator(MAX_FRAME));
        }
        if (timeout != null) {
            timeout.cancel(false);
        }
        connected.complete(conn);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        connected.completeExceptionally(new HandshakeFailure(why));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (!connected.isDone()) {
            connected.completeExceptionally(new HandshakeFailure("closed during handshake"));
        } else if (!connected.isCompletedExceptionally() && !conn.closing) {
            stats.unexpectedClose(closeCode + (closeReason == null || closeReason.isEmpty() ? "" : " " + closeReason));
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!connected.isDone()) {
            fail(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
            return;
        }
        if (!conn.closing) {
            closeReason = cause.getClass().getSimpleName();
        }
        ctx.close();
    }

    private static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() <= 160 ? one : one.substring(0, 160) + "...";
    }

    /** Why a socket did not open; its message is what the summary groups failures by. */
    static final class HandshakeFailure extends RuntimeException {
        HandshakeFailure(String message) {
            super(message, null, false, false);
        }
    }
}
