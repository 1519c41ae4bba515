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
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/chats/{chat_id}/ws}: the token was verified by the pipeline; here the handshake headers are checked
 * (426 / 400 at once, see {@link HandshakeRequest}), then membership (404 before the upgrade for non-members), the
 * handshake is done, and the connection's HTTP handlers are swapped for a {@link WebSocketSession}. Messages over the
 * configured size close the connection with 1009.
 */
public final class WebSocketEndpoint implements UpgradeHandler {

    public static final String PATH = "/v1/chats/{chat_id}/ws";

    private static final String WS_UTF8 = "ws-utf8";

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
            HandshakeRequest.validate(req.headers());
            long after = afterParam(query, chat);
            int lastChunkIndex = lastChunkIndexParam(query);
            // Read nothing more until the handshake is done: frames must not reach the HTTP handler.
            ctx.channel().config().setAutoRead(false);
            released = true;
            chats.isMember(chat, userId).whenComplete((member, failure) -> ctx.executor().execute(() -> {
                try {
                    if (failure != null || !Boolean.TRUE.equals(member)) {
                        refuse(ctx, failure != null ? ErrorMapper.toApi(failure, requestId) : ApiException.chatNotFound(),
                                requestId);
                        return;
                    }
                    handshake(ctx, req, chat, userId, after, lastChunkIndex, requestId);
                } finally {
                    req.release();
                }
            }));
        } catch (ApiException e) {
            refuse(ctx, e, requestId);
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

    /**
     * Answers with the error envelope and closes. Every refusal names the version the server speaks (RFC 6455 §4.4
     * requires it on the 426; on the others it tells a client what to retry with).
     */
    private static void refuse(ChannelHandlerContext ctx, ApiException e, String requestId) {
        FullHttpResponse res = HttpResponses.json(ctx.alloc(), HttpResponseStatus.valueOf(e.code().httpStatus()),
                ErrorMapper.envelope(e, requestId), requestId);
        res.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, HandshakeRequest.VERSION);
        HttpResponses.write(ctx, res, false);
    }

    /**
     * Switches the connection to WebSocket. No extension is negotiated (and the decoder refuses RSV bits): broadcast
     * events are written as frames encoded once for every recipient ({@code hub.OutboundEvent}), which bypass the frame
     * encoder and so would skip any extension's per-connection transform. {@code WsPreEncodedFrameTest} pins this.
     * Protocol violations are answered by {@link WebSocketSession}, so the decoder and the UTF-8 validator only report
     * them.
     */
    private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, long chat, String userId, long after,
                           int lastChunkIndex, String requestId) {
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(ws.maxFrameBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .build();
        String location = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
        WebSocketServerHandshaker handshaker = new StrictHandshaker(location, decoderConfig);
        ChannelPipeline p = ctx.pipeline();
        WebSocketSession session = new WebSocketSession(handshaker, hubs, store, parser, dbExecutor, chat, userId);
        p.replace(HandlerNames.HTTP_HANDLER, HandlerNames.WS_HANDLER, session);
        p.addBefore(HandlerNames.WS_HANDLER, HandlerNames.WS_IDLE,
                new IdleStateHandler(ws.pongTimeoutSeconds(), 0, ws.pingIntervalSeconds(), TimeUnit.SECONDS));
        // Text is validated frame by frame, so bad UTF-8 fails the connection (1007) before its message is complete.
        p.addBefore(HandlerNames.WS_HANDLER, WS_UTF8, new Utf8FrameValidator(false));
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
            // HandshakeRequest checked what Netty checks; should it still refuse, answer over HTTP as for any refusal.
            p.replace(HandlerNames.WS_HANDLER, HandlerNames.HTTP_HANDLER, new ChannelInboundHandlerAdapter());
            refuse(ctx, new ApiException(ErrorCode.WEBSOCKET_HANDSHAKE_FAILED, "WebSocket handshake failed: " + e.getMessage()),
                    requestId);
        }
    }
}
