package com.speechbot.server.ws;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.server.chat.ChatService;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.error.ErrorMapper;
import com.speechbot.server.http.UpgradeHandler;
import com.speechbot.server.hub.HubRegistry;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommandParser;
import com.speechbot.server.pipeline.HandlerNames;
import com.speechbot.server.pipeline.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/chats/{chat_id}/ws}: the token was verified by the pipeline; here membership is checked (404 before
 * the upgrade for non-members), the handshake is done, and the connection's HTTP handlers are swapped for a
 * {@link WebSocketSession}. Frames over the configured size close the connection with 1009.
 */
public final class WebSocketEndpoint implements UpgradeHandler {

    public static final String PATH = "/v1/chats/{chat_id}/ws";

    private final ChatService chats;
    private final MessageStore store;
    private final SendCommandParser parser;
    private final HubRegistry hubs;
    private final Executor dbExecutor;
    private final ServerConfig.WebSocket ws;

    public WebSocketEndpoint(ChatService chats, MessageStore store, SendCommandParser parser, HubRegistry hubs,
                             Executor dbExecutor, ServerConfig.WebSocket ws) {
        this.chats = chats;
        this.store = store;
        this.parser = parser;
        this.hubs = hubs;
        this.dbExecutor = dbExecutor;
        this.ws = ws;
    }

    @Override
    public void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, Map<String, String> pathParams,
                        Map<String, List<String>> query, String userId, String requestId) {
        boolean released = false;
        try {
            var chatNo = Ids.parseChatId(pathParams.get("chat_id"));
            if (chatNo.isEmpty()) {
                throw ApiException.chatNotFound();
            }
            long chat = chatNo.getAsLong();
            if (!req.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
                throw new ApiException(ErrorCode.UPGRADE_REQUIRED, "This endpoint speaks WebSocket: send an Upgrade request");
            }
            long after = afterParam(query, chat);
            int lastChunkIndex = lastChunkIndexParam(query);
            // Read nothing more until the handshake is done: frames must not reach the HTTP handler.
            ctx.channel().config().setAutoRead(false);
            released = true;
            chats.isMember(chat, userId).whenComplete((member, failure) -> ctx.executor().execute(() -> {
                try {
                    if (failure != null || !Boolean.TRUE.equals(member)) {
                        ApiException e = failure != null ? ErrorMapper.toApi(failure, requestId) : ApiException.chatNotFound();
                        HttpResponses.writeError(ctx, e, requestId, true);
                        return;
                    }
                    handshake(ctx, req, chat, userId, after, lastChunkIndex, requestId);
                } finally {
                    req.release();
                }
            }));
        } catch (ApiException e) {
            HttpResponses.writeError(ctx, e, requestId, true);
        } finally {
            if (!released) {
                req.release();
            }
        }
    }

    private static long afterParam(Map<String, List<String>> query, long chat) {
        List<String> v = query.get("after");
        if (v == null || v.isEmpty() || v.get(0).isBlank()) {
            return -1;
        }
        Ids.MessageKey key = Ids.parseMessageId(v.get(0));
        if (key == null || key.chat() != chat) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter 'after'", "after",
                    "Must be a message id of this chat");
        }
        return key.seq();
    }

    private static int lastChunkIndexParam(Map<String, List<String>> query) {
        List<String> v = query.get("last_chunk_index");
        if (v == null || v.isEmpty() || v.get(0).isBlank()) {
            return -1;
        }
        try {
            int i = Integer.parseInt(v.get(0).trim());
            if (i >= -1) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter 'last_chunk_index'",
                "last_chunk_index", "Must be an integer >= -1");
    }

    private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, long chat, String userId, long after,
                           int lastChunkIndex, String requestId) {
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(ws.maxFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(true)
                .build();
        String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(location, null, decoderConfig)
                .newHandshaker(req);
        if (handshaker == null) {
            FullHttpResponse res = HttpResponses.json(ctx.alloc(), HttpResponseStatus.UPGRADE_REQUIRED,
                    ErrorMapper.envelope(new ApiException(ErrorCode.UPGRADE_REQUIRED, "Unsupported WebSocket version; use 13"),
                            requestId), requestId);
            res.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            HttpResponses.write(ctx, res, false);
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        WebSocketSession session = new WebSocketSession(handshaker, hubs, store, parser, dbExecutor, chat, userId);
        p.replace(HandlerNames.HTTP_HANDLER, HandlerNames.WS_HANDLER, session);
        p.addBefore(HandlerNames.WS_HANDLER, HandlerNames.WS_IDLE,
                new IdleStateHandler(ws.pongTimeoutSeconds(), 0, ws.pingIntervalSeconds(), TimeUnit.SECONDS));
        p.addBefore(HandlerNames.WS_HANDLER, HandlerNames.WS_AGGREGATOR, new WebSocketFrameAggregator(ws.maxFrameBytes()));
        try {
            handshaker.handshake(ctx.channel(), req).addListener(f -> {
                if (f.isSuccess()) {
                    session.start(after, lastChunkIndex);
                } else {
                    ctx.close();
                }
                ctx.channel().config().setAutoRead(true);
            });
        } catch (RuntimeException e) {
            // Netty rejects malformed handshakes (missing key, wrong method) before writing anything.
            p.replace(HandlerNames.WS_HANDLER, HandlerNames.HTTP_HANDLER, new io.netty.channel.ChannelInboundHandlerAdapter());
            HttpResponses.writeError(ctx, new ApiException(ErrorCode.WEBSOCKET_HANDSHAKE_FAILED,
                    "WebSocket handshake failed: " + e.getMessage()), requestId, true);
        }
    }
}
