package com.speechbot.client.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.speechbot.client.SpeechBotClient;
import com.speechbot.client.SpeechBotException;
import com.speechbot.client.outbox.OutboxStore;
import com.speechbot.client.outbox.QueuedSend;
import com.speechbot.client.rest.MessageQuery;
import com.speechbot.client.rest.NewMessage;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A chat's realtime connection that stays open: it reconnects by itself (jittered exponential backoff, a fresh token
 * each time), resumes with {@code ?after=<last message id>} so nothing is missed or delivered twice, keeps unconfirmed
 * sends in an {@link OutboxStore} and sends them again after a reconnect (the server deduplicates them by
 * {@code client_message_id}), and assembles the bot's streamed answers ({@link BotAnswer}).
 *
 * <p>All connection state lives on one private thread; events go to the listener of {@link ConnectionOptions}, in
 * order, on its executor. Every public method is thread-safe and non-blocking except {@link #close()}.
 */
public final class ChatConnection implements AutoCloseable {

    /** Refusals that say "not now" rather than "never": the send stays queued. */
    private static final Set<String> RETRYABLE = Set.of("MESSAGE_SEND_FAILED", "SERVICE_UNAVAILABLE", "RATE_LIMITED",
            "INTERNAL_ERROR");
    private static final int RECENT_IDS = 4096;

    private final SpeechBotClient client;
    private final HttpClient http;
    private final Supplier<String> tokens;
    private final Duration handshakeTimeout;
    private final String chatId;
    private final String wsUrl;
    private final ConnectionOptions options;
    private final OutboxStore outbox;
    private final ScheduledExecutorService loop;
    private final ExecutorService ownEventThread;
    private final Executor events;

    // Owned by the loop thread.
    private final Map<String, PendingSend> pending = new LinkedHashMap<>();
    private final Map<String, BotAnswer> answers = new LinkedHashMap<>();
    private final RecentIds recent = new RecentIds(RECENT_IDS);
    private WebSocket socket;
    private CompletableFuture<WebSocket> sendChain;
    private int generation;
    private int attempt;
    private boolean closed;
    private long cursorSeq;
    private long lastFrameNanos;
    private ScheduledFuture<?> heartbeat;
    private ScheduledFuture<?> reconnect;
    private String readId;
    private long readSeq;
    private long readSentSeq;
    private boolean typingSent;
    private long typingSentNanos;
    private ScheduledFuture<?> typingStop;

    // Written on the loop, read by the app.
    private volatile boolean live;
    private volatile String cursorId;

    private ChatConnection(SpeechBotClient client, HttpClient http, Supplier<String> tokens, Duration handshakeTimeout,
                           String chatId, ConnectionOptions options) {
        this.client = client;
        this.http = http;
        this.tokens = tokens;
        this.handshakeTimeout = handshakeTimeout;
        this.chatId = chatId;
        this.options = options;
        this.outbox = options.outbox;
        String base = client.baseUrl().toString().replaceFirst("^http", "ws");
        this.wsUrl = base + "v1/chats/" + chatId + "/ws";
        this.loop = Executors.newSingleThreadScheduledExecutor(daemon("speechbot-ws-" + chatId));
        this.ownEventThread = options.executor == null ? Executors.newSingleThreadExecutor(daemon("speechbot-events-" + chatId)) : null;
        this.events = new SerialExecutor(options.executor != null ? options.executor : ownEventThread);
        this.cursorId = options.resumeAfter;
        this.cursorSeq = options.resumeAfter == null ? 0 : seqOf(options.resumeAfter);
    }

    /** Use {@link SpeechBotClient#connect}; this is its entry into this package. */
    public static ChatConnection open(SpeechBotClient client, HttpClient http, Supplier<String> tokens,
                                      Duration handshakeTimeout, String chatId, ConnectionOptions options) {
        ChatConnection c = new ChatConnection(client, http, tokens, handshakeTimeout, chatId, options.copy());
        c.loop.execute(() -> {
            for (QueuedSend s : c.outbox.load(chatId)) {
                c.pending.put(s.clientMessageId(), new PendingSend(s, new CompletableFuture<>()));
            }
            c.connect();
        });
        return c;
    }

    public String chatId() {
        return chatId;
    }

    /** Connected and caught up: sends go out now rather than from the outbox later. */
    public boolean isLive() {
        return live;
    }

    /** The newest message id delivered (the resume point), or null before the first. */
    public String lastMessageId() {
        return cursorId;
    }

    // ---- sending

    /** Queues a text message (persisted before this returns) and sends it as soon as the connection is live. */
    public Outgoing send(String content) {
        return send(content, null, null);
    }

    /** {@link #send(String)} with a reply target and metadata (either may be null). */
    public Outgoing send(String content, String replyTo, JsonNode metadata) {
        String clientMessageId = "c_" + UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        QueuedSend send = new QueuedSend(clientMessageId, chatId, content, "text", replyTo, metadata, now, 0);
        outbox.put(send);
        CompletableFuture<MessageView> stored = new CompletableFuture<>();
        MessageView local = new MessageView(clientMessageId, chatId, "user", content, content, "text", now, "sending",
                metadata, List.of(), null, replyTo, null, null, List.of(), List.of(), clientMessageId);
        loop.execute(() -> {
            PendingSend p = new PendingSend(send, stored);
            pending.put(clientMessageId, p);
            if (live) {
                stopTypingNow();
                transmit(p);
            }
        });
        return new Outgoing(clientMessageId, local, stored);
    }

    /** The sends not confirmed yet (including those loaded from the outbox at start), oldest first. */
    public CompletableFuture<List<QueuedSend>> queued() {
        return CompletableFuture.supplyAsync(() -> {
            List<QueuedSend> out = new ArrayList<>();
            pending.values().forEach(p -> out.add(p.send));
            return out;
        }, loop);
    }

    // ---- typing, read state, generation

    /** Call on every keystroke: {@code is_typing: true} at most once per refresh period, {@code false} once idle. */
    public void typing() {
        loop.execute(() -> {
            if (!live) {
                return;
            }
            long now = System.nanoTime();
            if (!typingSent || now - typingSentNanos >= options.typingRefresh.toNanos()) {
                sendFrame("typing", Map.of("is_typing", true));
                typingSent = true;
                typingSentNanos = now;
            }
            if (typingStop != null) {
                typingStop.cancel(false);
            }
            typingStop = loop.schedule(this::stopTypingNow, options.typingIdle.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    public void stopTyping() {
        loop.execute(this::stopTypingNow);
    }

    /** Marks everything up to {@code messageId} read; only a newer position than the last one is sent. */
    public void markRead(String messageId) {
        long seq = seqOf(messageId);
        loop.execute(() -> {
            if (seq > readSeq) {
                readSeq = seq;
                readId = messageId;
                flushRead();
            }
        });
    }

    /** Stops the bot's answer being written (it is stored as far as it got). */
    public void cancelAnswer() {
        loop.execute(() -> sendFrame("cancel_generation", Map.of()));
    }

    // ---- lifecycle

    /** Drops the socket and reconnects at once (e.g. the device's network changed); resumes like any reconnect. */
    public void reconnectNow() {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            generation++;
            dropSocket();
            emit(new ChatEvent.Disconnected(CloseReason.NETWORK, -1, "reconnect requested", Duration.ZERO));
            connect();
        });
    }

    /** Closes the socket (1000) and stops reconnecting; queued sends stay in the outbox for the next connection. */
    @Override
    public void close() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (closed) {
                done.complete(null);
                return;
            }
            closed = true;
            generation++;
            CompletableFuture<WebSocket> chain = sendChain;
            WebSocket ws = socket;
            socket = null;
            dropSocket();
            emit(new ChatEvent.Disconnected(CloseReason.CLOSED_BY_CLIENT, 1000, null, null));
            if (chain == null) {
                done.complete(null);
                return;
            }
            chain.thenCompose(w -> w.sendClose(WebSocket.NORMAL_CLOSURE, "bye"))
                    .orTimeout(2, TimeUnit.SECONDS)
                    .whenComplete((w, f) -> {
                        ws.abort();
                        done.complete(null);
                    });
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the socket is aborted either way
        }
        loop.shutdown();
        if (ownEventThread != null) {
            events.execute(ownEventThread::shutdown);
        }
    }

    // ---- connecting (loop thread)

    private void connect() {
        reconnect = null;
        if (closed) {
            return;
        }
        int gen = ++generation;
        StringBuilder uri = new StringBuilder(wsUrl);
        if (cursorId != null) {
            uri.append("?after=").append(cursorId);
            BotAnswer streaming = streamingAnswer();
            if (streaming != null && streaming.lastChunkIndex() >= 0) {
                uri.append("&last_chunk_index=").append(streaming.lastChunkIndex());
            }
        }
        String token;
        try {
            token = tokens.get();
        } catch (RuntimeException e) {
            disconnected(gen, CloseReason.TOKEN_REJECTED, -1, "token supplier failed: " + e);
            return;
        }
        http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(handshakeTimeout)
                .buildAsync(URI.create(uri.toString()), new Listener(gen))
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        loop.execute(() -> failedToOpen(gen, failure));
                    }
                });
    }

    private void failedToOpen(int gen, Throwable failure) {
        if (gen == generation && !closed) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                disconnected(gen, CloseReason.ofHandshakeStatus(status), status, "handshake answered " + status);
            } else {
                disconnected(gen, CloseReason.NETWORK, -1, cause.toString());
            }
        }
    }

    /** Runs before any frame of the socket is handled (both hop onto the loop from the listener, in order). */
    private void opened(int gen, WebSocket ws) {
        if (gen != generation || closed) {
            ws.abort();
            return;
        }
        socket = ws;
        sendChain = CompletableFuture.completedFuture(ws);
        lastFrameNanos = System.nanoTime();
        long every = options.heartbeatInterval.toMillis();
        heartbeat = loop.scheduleWithFixedDelay(() -> heartbeat(gen), every, every, TimeUnit.MILLISECONDS);
        boolean resuming = cursorId != null;
        emit(new ChatEvent.Connected(resuming));
        if (!resuming) {
            sendFrame(ServerEvent.CONNECTION_ESTABLISHED, Map.of()); // its answer names the resume point
            goLive();
        } // else live once resume_complete says the replay is done
    }

    private void goLive() {
        live = true;
        attempt = 0;
        for (PendingSend p : new ArrayList<>(pending.values())) {
            transmit(p);
        }
        flushRead();
    }

    private void heartbeat(int gen) {
        if (gen != generation) {
            return;
        }
        if (System.nanoTime() - lastFrameNanos > options.heartbeatTimeout.toNanos()) {
            disconnected(gen, CloseReason.HEARTBEAT_TIMEOUT, -1, "nothing received for " + options.heartbeatTimeout);
        } else {
            sendFrame("ping", Map.of());
        }
    }

    private void disconnected(int gen, CloseReason reason, int code, String detail) {
        if (gen != generation || closed) {
            return;
        }
        generation++; // later callbacks of this socket are stale
        dropSocket();
        if (!reason.reconnects()) {
            emit(new ChatEvent.Disconnected(reason, code, detail, null));
            return;
        }
        Duration delay = switch (reason) {
            case TOKEN_REJECTED -> attempt == 0 ? Duration.ZERO : options.backoff.delay(attempt);
            case SLOW_CONSUMER -> max(options.slowConsumerBackoff, options.backoff.delay(attempt));
            default -> options.backoff.delay(attempt);
        };
        attempt++;
        emit(new ChatEvent.Disconnected(reason, code, detail, delay));
        reconnect = loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void dropSocket() {
        if (socket != null) {
            socket.abort();
        }
        socket = null;
        sendChain = null;
        live = false;
        readSentSeq = 0; // sent again after the reconnect: a lost mark_read costs nothing to repeat
        typingSent = false;
        cancel(heartbeat);
        cancel(typingStop);
        cancel(reconnect);
        heartbeat = typingStop = reconnect = null;
    }

    // ---- incoming (loop thread)

    private void frame(int gen, String text) {
        if (gen != generation) {
            return;
        }
        lastFrameNanos = System.nanoTime();
        JsonNode root;
        try {
            root = Json.readTree(text);
        } catch (IOException e) {
            return; // the server only sends JSON; a broken frame is not worth the connection
        }
        String type = root.path("type").asText();
        JsonNode data = root.path("data");
        switch (type) {
            case ServerEvent.NEW_MESSAGE -> onNewMessage(message(data));
            case ServerEvent.MESSAGE_UPDATED -> onMessageUpdated(message(data));
            case ServerEvent.BOT_RESPONSE_CHUNK -> onChunk(convert(data, ServerEvent.BotResponseChunk.class));
            case ServerEvent.ERROR -> onError(convert(data, ServerEvent.ErrorPayload.class));
            case ServerEvent.RESUME_COMPLETE -> {
                emit(new ChatEvent.Resumed(data.path("last_message_id").asText(""), data.path("replayed").asInt()));
                checkInterruptedAnswers();
                goLive();
            }
            case ServerEvent.CONNECTION_ESTABLISHED -> {
                String latest = data.path("latest_message_id").textValue();
                if (latest != null) {
                    advanceCursor(latest);
                }
            }
            case ServerEvent.MESSAGE_STATUS -> emit(new ChatEvent.StatusChanged(convert(data, ServerEvent.MessageStatus.class)));
            case ServerEvent.TYPING_INDICATOR -> emit(new ChatEvent.TypingChanged(convert(data, ServerEvent.TypingIndicator.class)));
            case ServerEvent.MESSAGE_DELETED -> emit(new ChatEvent.MessageDeleted(convert(data, ServerEvent.MessageDeleted.class)));
            case ServerEvent.REACTION_UPDATED -> emit(new ChatEvent.ReactionChanged(convert(data, ServerEvent.ReactionUpdated.class)));
            case "pong" -> { } // lastFrameNanos is all a pong is for
            default -> emit(new ChatEvent.Other(type, data));
        }
    }

    private void onNewMessage(MessageView m) {
        boolean confirms = confirm(m);
        if (!recent.add(m.id())) {
            return; // the stored copy answering a retry, after its broadcast (or the other way round)
        }
        advanceCursor(m.id());
        BotAnswer answer = answers.get(m.id());
        if (answer != null && !"typing".equals(m.status())) {
            answers.remove(m.id());
            finish(answer, m);
        }
        emit(new ChatEvent.NewMessage(m, confirms));
    }

    private void onMessageUpdated(MessageView m) {
        BotAnswer answer = answers.get(m.id());
        if (answer != null && !"typing".equals(m.status())) {
            answers.remove(m.id());
            finish(answer, m);
        }
        emit(new ChatEvent.MessageUpdated(m));
    }

    private void onChunk(ServerEvent.BotResponseChunk c) {
        BotAnswer answer = answers.computeIfAbsent(c.messageId(), BotAnswer::new);
        String delta = answer.apply(c.chunkIndex(), c.chunk() == null ? "" : c.chunk(), c.isComplete());
        if (!delta.isEmpty()) {
            emit(new ChatEvent.AnswerProgress(answer, delta));
        }
    }

    private void finish(BotAnswer answer, MessageView stored) {
        emit(new ChatEvent.AnswerProgress(answer, answer.complete(stored)));
    }

    /**
     * After a replay, an answer that was streaming when the socket dropped may have been stored meanwhile without this
     * connection seeing its final version (the replay starts after the resume point); the store says.
     */
    private void checkInterruptedAnswers() {
        for (BotAnswer answer : new ArrayList<>(answers.values())) {
            CompletableFuture.supplyAsync(() -> storedMessage(answer.messageId()))
                    .whenComplete((m, failure) -> loop.execute(() -> {
                        if (m != null && !"typing".equals(m.status()) && answers.remove(m.id()) != null) {
                            finish(answer, m);
                        }
                    }));
        }
    }

    private MessageView storedMessage(String messageId) {
        Ids.MessageKey key = Ids.parseMessageId(messageId);
        MessageQuery query = key.seq() > 1 ? MessageQuery.after(Ids.messageId(key.chat(), key.seq() - 1), 1)
                : new MessageQuery(1, null, null, null, true, null);
        return client.listMessages(chatId, query).messages().stream()
                .filter(m -> m.id().equals(messageId)).findFirst().orElse(null);
    }

    private void onError(ServerEvent.ErrorPayload e) {
        PendingSend p = e.clientMessageId() == null ? null : pending.get(e.clientMessageId());
        if (p == null) {
            emit(new ChatEvent.ServerError(e));
            return;
        }
        if (!RETRYABLE.contains(e.errorCode())) {
            giveUp(p, e.errorCode(), e.message());
            return;
        }
        p.send = p.send.withFailure();
        if (p.send.failures() >= options.maxSendFailures) {
            giveUp(p, e.errorCode(), e.message() + " (after " + p.send.failures() + " attempts)");
            return;
        }
        outbox.put(p.send);
        loop.schedule(() -> {
            if (live && pending.get(p.send.clientMessageId()) == p) {
                transmit(p);
            }
        }, options.backoff.delay(p.send.failures()).toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes the matching send; true when {@code m} is the stored copy of one. */
    private boolean confirm(MessageView m) {
        PendingSend p = m.clientMessageId() == null ? null : pending.remove(m.clientMessageId());
        if (p == null) {
            return false;
        }
        outbox.remove(m.clientMessageId());
        p.stored.complete(m);
        return true;
    }

    private void giveUp(PendingSend p, String error, String message) {
        pending.remove(p.send.clientMessageId());
        outbox.remove(p.send.clientMessageId());
        p.stored.completeExceptionally(new SpeechBotException(0, error, message, NullNode.getInstance(), null));
        GivenUp g = new GivenUp(p.send, error, message);
        events.execute(() -> options.onGiveUp.accept(g));
    }

    // ---- outgoing (loop thread)

    private void transmit(PendingSend p) {
        QueuedSend s = p.send;
        if (s.createdAt().plus(options.maxQueueAge).isBefore(Instant.now())) {
            giveUp(p, "QUEUE_EXPIRED", "Queued longer than " + options.maxQueueAge);
            return;
        }
        sendFrame("send_message", new NewMessage(s.content(), s.contentType(), s.clientMessageId(), s.replyTo(), null,
                s.metadata(), null));
    }

    private void flushRead() {
        if (live && readSeq > readSentSeq) {
            sendFrame("mark_read", Map.of("message_id", readId));
            readSentSeq = readSeq;
        }
    }

    private void stopTypingNow() {
        cancel(typingStop);
        typingStop = null;
        if (typingSent && socket != null) {
            sendFrame("typing", Map.of("is_typing", false));
        }
        typingSent = false;
    }

    /** Queues a frame behind the previous one (the JDK WebSocket allows one outstanding send). */
    private void sendFrame(String type, Object data) {
        if (sendChain == null) {
            return;
        }
        String json = Json.writeString(Map.of("type", type, "data", data));
        int gen = generation;
        sendChain = sendChain.thenCompose(w -> w.sendText(json, true));
        sendChain.whenComplete((w, failure) -> {
            if (failure != null) {
                loop.execute(() -> disconnected(gen, CloseReason.NETWORK, -1, "send failed: " + failure));
            }
        });
    }

    private void advanceCursor(String messageId) {
        long seq = seqOf(messageId);
        if (seq > cursorSeq) {
            cursorSeq = seq;
            cursorId = messageId;
        }
    }

    private BotAnswer streamingAnswer() {
        BotAnswer last = null;
        for (BotAnswer a : answers.values()) {
            if (a.streaming()) {
                last = a;
            }
        }
        return last;
    }

    private void emit(ChatEvent event) {
        events.execute(() -> options.onEvent.accept(event));
    }

    private static MessageView message(JsonNode data) {
        return convert(data.path("message"), MessageView.class);
    }

    private static <T> T convert(JsonNode node, Class<T> type) {
        return Json.mapper().convertValue(node, type);
    }

    private static long seqOf(String messageId) {
        Ids.MessageKey key = Ids.parseMessageId(messageId);
        if (key == null) {
            throw new IllegalArgumentException("not a message id: " + messageId);
        }
        return key.seq();
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** A send waiting for its stored copy. */
    private static final class PendingSend {
        QueuedSend send;
        final CompletableFuture<MessageView> stored;

        PendingSend(QueuedSend send, CompletableFuture<MessageView> stored) {
            this.send = send;
            this.stored = stored;
        }
    }

    /** One socket's callbacks, tagged with its generation so a replaced socket's late callbacks are ignored. */
    private final class Listener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder partial = new StringBuilder();

        Listener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            loop.execute(() -> opened(gen, ws));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                loop.execute(() -> frame(gen, text));
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            loop.execute(() -> {
                if (gen == generation) {
                    lastFrameNanos = System.nanoTime();
                }
            });
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            loop.execute(() -> disconnected(gen, CloseReason.ofCloseCode(statusCode), statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            loop.execute(() -> disconnected(gen, CloseReason.NETWORK, -1, error.toString()));
        }
    }
}
