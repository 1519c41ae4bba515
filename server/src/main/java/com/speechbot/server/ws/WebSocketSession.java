package com.speechbot.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ClientEventType;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.error.ErrorMapper;
import com.speechbot.server.hub.HubRegistry;
import com.speechbot.server.hub.Subscriber;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.message.SendCommandParser;
import com.speechbot.server.message.SendOutcome;
import com.speechbot.server.store.DbCalls;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: decodes client events into hub commands and answers protocol errors with an
 * {@code error} event (the connection stays open). Runs on the connection's event loop.
 */
final class WebSocketSession extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);
    private static final int REPLAY_PAGE = 500;
    private static final int MAX_CLOSE_REASON = 123;

    private final WebSocketServerHandshaker handshaker;
    private final HubRegistry hubs;
    private final MessageStore store;
    private final SendCommandParser parser;
    private final Executor db;
    private final long chat;
    private final String userId;
    private ChannelHandlerContext ctx;
    private Subscriber subscriber;
    /** A resume replay waiting for the client to read what was written so far. */
    private Runnable whenWritable;
    /** A close frame was sent (echo or failure): later frames are ignored and no second close is sent. */
    private boolean closing;

    WebSocketSession(WebSocketServerHandshaker handshaker, HubRegistry hubs, MessageStore store, SendCommandParser parser,
                     Executor db, long chat, String userId) {
        this.handshaker = handshaker;
        this.hubs = hubs;
        this.store = store;
        this.parser = parser;
        this.db = db;
        this.chat = chat;
        this.userId = userId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** The handshake is done: join the chat's hub, and replay what the client missed when it resumes. */
    void start(long after, int lastChunkIndex) {
        subscriber = hubs.newSubscriber(ctx.channel(), userId, chat);
        subscriber.lastChunkIndex(lastChunkIndex);
        hubs.meters().connectionOpened();
        if (after >= 0) {
            subscriber.beginReplay();
        }
        hubs.join(subscriber, () -> {
            if (after >= 0) {
                replay(after, 0);
            }
        });
    }

    /**
     * Reads pages from the store (the source of truth) until caught up, then releases the held live events. The pages
     * are written at the client's pace (see {@link #writeReplay}), so catching up on more than the slow-consumer bounds
     * is not mistaken for a slow consumer.
     */
    private void replay(long after, int sentSoFar) {
        DbCalls.supply(() -> store.after(chat, userId, after, REPLAY_PAGE), db)
                .whenComplete((page, failure) -> ctx.executor().execute(() -> {
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    if (failure != null) {
                        log.warn("resume replay failed for chat {}", chat, failure);
                        sendEvent(ErrorMapper.event(failure, null));
                        ctx.close();
                        return;
                    }
                    writeReplay(page.iterator(), after, sentSoFar, page.size() == REPLAY_PAGE);
                }));
    }

    /**
     * Writes replayed messages while the channel is writable; when it is not, continues once the client has read
     * enough ({@link #channelWritabilityChanged}). Live events stay held meanwhile (bounded by max_pending_bytes).
     */
    private void writeReplay(Iterator<MessageView> page, long last, int sent, boolean morePages) {
        while (page.hasNext()) {
            if (!ctx.channel().isWritable()) {
                long lastSoFar = last;
                int sentSoFar = sent;
                whenWritable = () -> writeReplay(page, lastSoFar, sentSoFar, morePages);
                return;
            }
            MessageView m = page.next();
            long seq = Ids.parseMessageId(m.id()).seq();
            last = seq;
            sent++;
            if ("bot".equals(m.role()) && "typing".equals(m.status())) {
                continue; // an answer still streaming: the hub's catch-up chunk brings its text
            }
            hubs.replayTo(subscriber, ServerEvent.newMessage(m), seq);
        }
        if (morePages) {
            replay(last, sent);
        } else {
            hubs.endReplay(subscriber, last, sent);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closing) {
                return; // RFC 6455 §5.5.1: nothing more is read once a close frame was sent
            }
            if (msg instanceof TextWebSocketFrame text) {
                onText(text.text());
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                onClose(close);
            } else if (msg instanceof BinaryWebSocketFrame) {
                sendError(ErrorCode.BINARY_NOT_SUPPORTED, "Binary frames are not supported; send JSON text frames", null);
            } else if (!(msg instanceof PongWebSocketFrame) && !(msg instanceof WebSocketFrame)) {
                ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Completes the close handshake (§5.5.1): echoes the client's status code (the decoder let only codes a peer may send
     * through, see {@link StrictHandshaker}); a close without a code is answered with 1000, since 1005 ("no code") must
     * never be sent.
     */
    private void onClose(CloseWebSocketFrame close) {
        closing = true;
        CloseWebSocketFrame reply = close.content().isReadable()
                ? new CloseWebSocketFrame(close.statusCode(), close.reasonText())
                : new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE);
        handshaker.close(ctx.channel(), reply);
    }

    private void onText(String text) {
        JsonNode root;
        try {
            root = Json.readTree(text);
        } catch (IOException e) {
            sendError(ErrorCode.INVALID_JSON, "Frame is not valid JSON", null);
            return;
        }
        if (root == null || !root.isObject() || !root.path("type").isTextual()) {
            sendError(ErrorCode.INVALID_EVENT, "Events are JSON objects {\"type\": ..., \"data\": {...}}", null);
            return;
        }
        String type = root.get("type").asText();
        JsonNode data = root.path("data");
        hubs.meters().eventIn(type.length() <= 32 ? type : "other");
        ClientEventType eventType = ClientEventType.fromWire(type).orElse(null);
        if (eventType == null) {
            sendError(ErrorCode.UNKNOWN_EVENT_TYPE, "Unknown event type '" + abbreviate(type) + "'", null);
            return;
        }
        if (!data.isMissingNode() && !data.isNull() && !data.isObject()) {
            sendError(ErrorCode.INVALID_EVENT, "'data' must be an object", clientMessageId(data));
            return;
        }
        switch (eventType) {
            case SEND_MESSAGE -> onSend(data);
            case TYPING -> onTyping(data);
            case MARK_READ -> onMarkRead(data);
            case CONNECTION_ESTABLISHED -> onConnectionEstablished();
            case RESUME -> onResume(data);
            case PING -> sendEvent(new ServerEvent("pong", java.util.Map.of("server_time", now())));
            case CANCEL_GENERATION -> hubs.cancelGeneration(chat).whenComplete((cancelled, failure) -> {
                if (!Boolean.TRUE.equals(cancelled)) {
                    ctx.executor().execute(() -> sendError(ErrorCode.INVALID_EVENT, "No bot answer is being generated", null));
                }
            });
        }
    }

    private void onSend(JsonNode data) {
        String clientMessageId = clientMessageId(data);
        if (!data.isObject()) {
            sendError(ErrorCode.MISSING_FIELD, "send_message needs data {content, ...}", clientMessageId);
            return;
        }
        SendCommand command;
        try {
            command = parser.parse(data, userId);
        } catch (ApiException e) {
            sendEvent(ServerEvent.error(e.code().name(), e.getMessage(), clientMessageId));
            return;
        }
        hubs.send(chat, command).whenComplete((outcome, failure) -> ctx.executor().execute(() -> {
            if (failure != null) {
                ApiException e = ErrorMapper.toApi(failure, null);
                String code = e.code() == ErrorCode.INTERNAL_ERROR ? ErrorCode.MESSAGE_SEND_FAILED.name() : e.code().name();
                sendEvent(ServerEvent.error(code, e.code() == ErrorCode.INTERNAL_ERROR ? "Failed to send message"
                        : e.getMessage(), clientMessageId));
            } else if (outcome.kind() == SendOutcome.Kind.FAILED) {
                sendEvent(ServerEvent.error(outcome.error().code().name(), outcome.error().getMessage(), clientMessageId));
            } else if (outcome.kind() == SendOutcome.Kind.EXISTING) {
                // An idempotent retry: only the sender needs the stored copy to replace its optimistic one.
                sendEvent(ServerEvent.newMessage(outcome.view()));
            }
        }));
    }

    private void onTyping(JsonNode data) {
        JsonNode v = data.path("is_typing");
        if (!v.isBoolean()) {
            sendError(ErrorCode.MISSING_FIELD, "typing needs data {is_typing: true|false}", null);
            return;
        }
        hubs.typing(subscriber, v.asBoolean());
    }

    private void onMarkRead(JsonNode data) {
        JsonNode v = data.path("message_id");
        if (!v.isTextual()) {
            sendError(ErrorCode.MISSING_FIELD, "mark_read needs data {message_id}", null);
            return;
        }
        Ids.MessageKey key = Ids.parseMessageId(v.asText());
        if (key == null || key.chat() != chat) {
            sendError(ErrorCode.MESSAGE_NOT_FOUND, "No such message in this chat: " + abbreviate(v.asText()), null);
            return;
        }
        hubs.markRead(chat, userId, key.seq());
    }

    private void onConnectionEstablished() {
        DbCalls.supply(() -> store.latestSeq(chat), db)
                .whenComplete((seq, failure) -> ctx.executor().execute(() -> {
                    if (failure != null) {
                        sendEvent(ErrorMapper.event(failure, null));
                        return;
                    }
                    sendEvent(new ServerEvent(ServerEvent.CONNECTION_ESTABLISHED, new ServerEvent.ConnectionEstablished(
                            Ids.chatId(chat), userId, now(), seq > 0 ? Ids.messageId(chat, seq) : null)));
                }));
    }

    private void onResume(JsonNode data) {
        JsonNode v = data.path("after");
        Ids.MessageKey key = v.isTextual() ? Ids.parseMessageId(v.asText()) : null;
        if (v.isTextual() && v.asText().isEmpty()) {
            key = new Ids.MessageKey(chat, 0);
        }
        if (key == null || key.chat() != chat) {
            sendError(ErrorCode.MISSING_FIELD, "resume needs data {after: <message id of this chat>}", null);
            return;
        }
        if (subscriber.replaying()) {
            sendError(ErrorCode.INVALID_EVENT, "A resume is already in progress", null);
            return;
        }
        subscriber.beginReplay();
        replay(key.seq(), 0);
    }

    private void sendError(ErrorCode code, String message, String clientMessageId) {
        sendEvent(ServerEvent.error(code.name(), message, clientMessageId));
    }

    /** A direct reply to this connection only, ordered with the hub's deliveries (same loop). */
    private void sendEvent(ServerEvent event) {
        hubs.sendDirect(subscriber, event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            subscriber.writabilityChanged();
        }
        if (whenWritable != null && ctx.channel().isWritable() && ctx.channel().isActive()) {
            Runnable next = whenWritable;
            whenWritable = null;
            next.run();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                // No pong (nor anything else) for the whole timeout: the peer is gone.
                failConnection(WebSocketCloseStatus.POLICY_VIOLATION, "heartbeat timeout");
            } else if (idle.state() == IdleState.ALL_IDLE && !closing) {
                ctx.writeAndFlush(new PingWebSocketFrame());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (subscriber != null) {
            hubs.leave(subscriber);
            hubs.meters().connectionClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        WebSocketCloseStatus status = failureStatus(cause);
        if (status != null) {
            failConnection(status, cause.getMessage());
            return;
        }
        if (cause instanceof IOException) {
            log.debug("websocket connection error: {}", cause.toString());
        } else {
            log.warn("websocket error in chat {}", chat, cause);
        }
        ctx.close();
    }

    /** The close code for a frame the codec refused (§7.4.1), or null when {@code cause} is not about a frame. */
    private static WebSocketCloseStatus failureStatus(Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            return c.closeStatus() != null ? c.closeStatus() : WebSocketCloseStatus.PROTOCOL_ERROR;
        }
        if (cause instanceof TooLongFrameException) {
            return WebSocketCloseStatus.MESSAGE_TOO_BIG;
        }
        if (cause instanceof CorruptedFrameException) {
            return WebSocketCloseStatus.PROTOCOL_ERROR;
        }
        return null;
    }

    /** Fails the connection (§7.1.7): one close frame with {@code status}, then the TCP connection ends. */
    private void failConnection(WebSocketCloseStatus status, String why) {
        if (closing) {
            return;
        }
        closing = true;
        ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), closeReason(why))).addListener(ChannelFutureListener.CLOSE);
    }

    /** A control frame holds at most 125 bytes, the code included: keep the reason short and ASCII. */
    private static String closeReason(String why) {
        String reason = why == null ? "" : why.replaceAll("[^ -~]", "?");
        return reason.length() <= MAX_CLOSE_REASON ? reason : reason.substring(0, MAX_CLOSE_REASON);
    }

    private static String clientMessageId(JsonNode data) {
        JsonNode v = data.path("client_message_id");
        return v.isTextual() ? v.asText() : null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
