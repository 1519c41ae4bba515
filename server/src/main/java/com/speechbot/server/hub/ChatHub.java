package com.speechbot.server.hub;

import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.message.ReadChange;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.message.SendOutcome;
import com.speechbot.server.store.DbCalls;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Owns one chat's realtime state on one event loop: subscribers, the send queue (group-committed: one transaction per
 * batch, then broadcast in seq order), coalesced read receipts and typing timers. Every method hops onto the loop
 * first, so the state below is only touched there and needs no locks.
 */
final class ChatHub {

    private static final int MAX_SEND_BATCH = 256;
    private static final long DELIVERED_LINGER_MS = 10;

    final long chat;
    final EventLoop loop;
    private final HubRegistry registry;

    private final Map<EventLoop, Outbox> outboxes = new HashMap<>(4);
    private final Map<String, List<Subscriber>> byUser = new HashMap<>();
    private final Map<Subscriber, Typing> typing = new IdentityHashMap<>();
    private int subscriberCount;

    private final ArrayDeque<PendingSend> sendQueue = new ArrayDeque<>();
    private boolean sendInFlight;
    private Map<String, Long> pendingReads = new HashMap<>();
    private final ArrayDeque<Map.Entry<String, Long>> uncoalescedReads = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> readsFlushedWaiters = new ArrayList<>();
    private boolean readInFlight;
    private Map<Long, String> pendingDelivered = new HashMap<>();
    /** A "delivered" write is scheduled or in flight. */
    private boolean deliveredBusy;
    private boolean closed;
    private Boolean botEnabled;
    private BotConductor bot;

    ChatHub(long chat, EventLoop loop, HubRegistry registry) {
        this.chat = chat;
        this.loop = loop;
        this.registry = registry;
    }

    // ---- subscribers -------------------------------------------------------------------------------------------

    /**
     * Subscribes {@code s}; once it receives live events (on its own loop), {@code onLive} runs there, so a resume
     * replay read after that point cannot miss anything.
     */
    void join(Subscriber s, Runnable onLive) {
        loop.execute(() -> {
            if (!s.channel().isActive()) {
                return; // closed before it joined: its leave may already have passed, so do not add it
            }
            if (closed) {
                registry.hub(chat).join(s, onLive);
                return;
            }
            byUser.computeIfAbsent(s.userId(), u -> new ArrayList<>(2)).add(s);
            subscriberCount++;
            Outbox outbox = outboxes.computeIfAbsent(s.channel().eventLoop(), l -> new Outbox(l, registry.meters()));
            // Taken on the hub loop, so the catch-up text and the chunks broadcast after it fit together exactly.
            ServerEvent catchUp = bot == null ? null : bot.catchUp(s.lastChunkIndex());
            OutboundEvent catchUpEvent = catchUp == null ? null
                    : OutboundEvent.encode(registry.alloc(), catchUp, OutboundEvent.Kind.ESSENTIAL, 0);
            outbox.loop.execute(() -> {
                outbox.add(s);
                if (catchUpEvent != null) {
                    try {
                        s.deliver(catchUpEvent);
                    } finally {
                        catchUpEvent.release();
                    }
                }
                onLive.run();
            });
        });
    }

    void leave(Subscriber s) {
        loop.execute(() -> {
            if (closed) {
                ChatHub current = registry.existing(chat);
                if (current != null && current != this) {
                    current.leave(s); // it joined the hub that replaced this one
                }
                return;
            }
            List<Subscriber> list = byUser.get(s.userId());
            if (list == null || !list.remove(s)) {
                return;
            }
            if (list.isEmpty()) {
                byUser.remove(s.userId());
            }
            subscriberCount--;
            Typing t = typing.remove(s);
            if (t != null) {
                t.cancel();
                broadcastTyping(s, false);
            }
            Outbox outbox = outboxes.get(s.channel().eventLoop());
            outbox.loop.execute(() -> {
                outbox.remove(s);
                s.dispose();
            });
            closeIfIdle();
        });
    }

    // ---- sends: group commit, then broadcast in seq order -------------------------------------------------------

    void send(SendCommand command, CompletableFuture<SendOutcome> result) {
        loop.execute(() -> {
            if (closed) {
                registry.hub(chat).send(command, result);
                return;
            }
            sendQueue.add(new PendingSend(command, result));
            if (!sendInFlight) {
                startSendBatch();
            }
        });
    }

    private void startSendBatch() {
        int n = Math.min(sendQueue.size(), MAX_SEND_BATCH);
        List<PendingSend> batch = new ArrayList<>(n);
        List<SendCommand> commands = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PendingSend p = sendQueue.poll();
            batch.add(p);
            commands.add(p.command);
        }
        sendInFlight = true;
        registry.meters().sendBatch(n);
        boolean loadBotFlag = botEnabled == null && registry.bot() != null;
        CompletableFuture<Boolean> botFlag = loadBotFlag
                ? DbCalls.supply(() -> registry.bot().botStore().botEnabled(chat), registry.dbExecutor())
                : CompletableFuture.completedFuture(null);
        registry.committer().submit(chat, commands)
                .thenCombine(botFlag.exceptionally(e -> null), BatchResult::new)
                .whenComplete((r, failure) -> loop.execute(() -> {
                    if (r != null && r.botEnabled != null && botEnabled == null) {
                        botEnabled = r.botEnabled;
                    }
                    sendBatchDone(batch, r == null ? null : r.outcomes, failure);
                }));
    }

    private record BatchResult(List<SendOutcome> outcomes, Boolean botEnabled) {}

    private void sendBatchDone(List<PendingSend> batch, List<SendOutcome> outcomes, Throwable failure) {
        sendInFlight = false;
        if (failure != null) {
            for (PendingSend p : batch) {
                p.result.completeExceptionally(failure);
            }
        } else {
            Map<Long, String> delivered = new HashMap<>();
            for (int i = 0; i < batch.size(); i++) {
                SendOutcome o = outcomes.get(i);
                if (o.kind() == SendOutcome.Kind.STORED) {
                    OutboundEvent ev = OutboundEvent.encode(registry.alloc(), ServerEvent.newMessage(o.view()),
                            OutboundEvent.Kind.ESSENTIAL, o.seq());
                    broadcast(ev, null);
                    String author = batch.get(i).command.authorId();
                    boolean userMessage = SendCommand.ROLE_USER.equals(batch.get(i).command.role());
                    if (userMessage && Boolean.TRUE.equals(botEnabled) && registry.bot() != null) {
                        // The bot takes it and marks it read itself; "read" supersedes "delivered".
                        bot().answer(o.view(), o.seq());
                    } else if (userMessage && hasOtherUserThan(author)) {
                        delivered.put(o.seq(), author);
                    }
                }
                batch.get(i).result.complete(o);
            }
            if (!delivered.isEmpty()) {
                markDelivered(delivered);
            }
        }
        if (!sendQueue.isEmpty()) {
            startSendBatch();
        } else {
            closeIfIdle();
        }
    }

    private boolean hasOtherUserThan(String userId) {
        return byUser.size() > 1 || (byUser.size() == 1 && !byUser.containsKey(userId));
    }

    /**
     * "delivered" = written to another member's connection; persisted, then told to the author's devices. The updates
     * linger {@value #DELIVERED_LINGER_MS} ms and one batch is in flight at a time, so a busy chat writes them once per
     * linger instead of once per message (each write is a transaction and an fsync, competing with the sends); a
     * status tick that late is invisible to people.
     */
    private void markDelivered(Map<Long, String> authors) {
        pendingDelivered.putAll(authors);
        if (!deliveredBusy) {
            deliveredBusy = true;
            loop.schedule(this::writeDelivered, DELIVERED_LINGER_MS, TimeUnit.MILLISECONDS);
        }
    }

    private void writeDelivered() {
        Map<Long, String> authors = pendingDelivered;
        pendingDelivered = new HashMap<>();
        registry.deliveries().submit(chat, new ArrayList<>(authors.keySet()))
                .whenComplete((changed, failure) -> loop.execute(() -> {
                    if (failure != null) {
                        HubRegistry.log.warn("could not mark messages of chat {} delivered", chat, failure);
                    } else {
                        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                        // only those still "sent": one already read needs no "delivered" after the fact
                        for (Long seq : changed) {
                            sendToUser(authors.get(seq), ServerEvent.messageStatus(Ids.messageId(chat, seq), "delivered",
                                    now, null), null);
                        }
                    }
                    if (pendingDelivered.isEmpty()) {
                        deliveredBusy = false;
                        closeIfIdle();
                    } else {
                        loop.schedule(this::writeDelivered, DELIVERED_LINGER_MS, TimeUnit.MILLISECONDS);
                    }
                }));
    }

    // ---- read receipts: coalesced per user, one write per batch -------------------------------------------------

    void markRead(String userId, long seq, CompletableFuture<Void> result) {
        loop.execute(() -> {
            if (closed) {
                registry.hub(chat).markRead(userId, seq, result);
                return;
            }
            queueRead(userId, seq);
            result.complete(null);
        });
    }

    private void queueRead(String userId, long seq) {
        if (registry.coalesceReads()) {
            pendingReads.merge(userId, seq, Math::max);
        } else {
            uncoalescedReads.add(Map.entry(userId, seq));
        }
        if (!readInFlight) {
            startReadBatch();
        }
    }

    /** Completes once every read receipt queued so far is stored (benchmarks and tests wait on it). */
    void readsFlushed(CompletableFuture<Void> result) {
        loop.execute(() -> {
            if (!readInFlight && !hasPendingReads()) {
                result.complete(null);
            } else {
                readsFlushedWaiters.add(result);
            }
        });
    }

    private boolean hasPendingReads() {
        return !pendingReads.isEmpty() || !uncoalescedReads.isEmpty();
    }

    /** Coalesced: every reader's highest seq in one transaction. Uncoalesced (benchmark baseline): one write per event. */
    private void startReadBatch() {
        Map<String, Long> batch;
        if (registry.coalesceReads()) {
            batch = pendingReads;
            pendingReads = new HashMap<>();
        } else {
            Map.Entry<String, Long> one = uncoalescedReads.poll();
            batch = Map.of(one.getKey(), one.getValue());
        }
        readInFlight = true;
        registry.receipts().submit(chat, batch)
                .whenComplete((changes, failure) -> loop.execute(() -> readBatchDone(changes, failure)));
    }

    private void readBatchDone(Map<String, List<ReadChange>> changes, Throwable failure) {
        readInFlight = false;
        if (failure != null) {
            HubRegistry.log.warn("could not store read receipts of chat {}", chat, failure);
        } else {
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            changes.forEach((reader, list) -> {
                for (ReadChange c : list) {
                    ServerEvent status = ServerEvent.messageStatus(Ids.messageId(chat, c.seq()), "read", now, reader);
                    sendToUser(c.authorId(), status, null);
                    sendToUser(reader, status, null);
                }
            });
        }
        if (hasPendingReads()) {
            startReadBatch();
        } else {
            readsFlushedWaiters.forEach(w -> w.complete(null));
            readsFlushedWaiters.clear();
            closeIfIdle();
        }
    }

    // ---- the bot -------------------------------------------------------------------------------------------------

    private BotConductor bot() {
        if (bot == null) {
            bot = new BotConductor(this, registry.bot());
        }
        return bot;
    }

    /** A question the previous process left waiting: queued like a new one (the bot's reserve skips it if answered). */
    void resumeAnswer(MessageView userMessage, long userSeq) {
        loop.execute(() -> {
            if (closed) {
                registry.hub(chat).resumeAnswer(userMessage, userSeq);
                return;
            }
            bot().answer(userMessage, userSeq);
        });
    }

    void setBotEnabled(boolean enabled) {
        loop.execute(() -> botEnabled = enabled);
    }

    /** The bot read a user message: the same coalesced read path as a member's mark_read. */
    void markReadByBot(long seq) {
        queueRead(com.speechbot.server.bot.BotStore.BOT_ID, seq);
    }

    void cancelGeneration(CompletableFuture<Boolean> result) {
        loop.execute(() -> result.complete(bot != null && bot.cancel()));
    }

    void botIdle() {
        closeIfIdle();
    }

    // ---- typing -------------------------------------------------------------------------------------------------

    void typing(Subscriber s, boolean isTyping) {
        loop.execute(() -> {
            if (closed) {
                return;
            }
            Typing t = typing.get(s);
            if (isTyping) {
                if (t == null) {
                    t = new Typing(s);
                    typing.put(s, t);
                    t.arm(registry.typingTtlMs());
                }
                t.lastNanos = System.nanoTime();
            } else if (t != null) {
                typing.remove(s);
                t.cancel();
            }
            broadcastTyping(s, isTyping);
        });
    }

    private void broadcastTyping(Subscriber from, boolean isTyping) {
        ServerEvent e = ServerEvent.typing(from.userId(), isTyping, isTyping ? from.userId() + " is typing..." : "");
        broadcast(OutboundEvent.encode(registry.alloc(), e, OutboundEvent.Kind.TYPING, 0), from);
    }

    /** A typing state that ends itself after the TTL without refresh. */
    private final class Typing implements Runnable {
        final Subscriber s;
        long lastNanos = System.nanoTime();
        ScheduledFuture<?> timer;

        Typing(Subscriber s) {
            this.s = s;
        }

        void arm(long delayMs) {
            timer = loop.schedule(this, delayMs, TimeUnit.MILLISECONDS);
        }

        void cancel() {
            if (timer != null) {
                timer.cancel(false);
            }
        }

        @Override
        public void run() {
            if (typing.get(s) != this) {
                return;
            }
            long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastNanos);
            long ttl = registry.typingTtlMs();
            if (idleMs < ttl) {
                arm(ttl - idleMs); // refreshed since armed: check again when the refreshed TTL runs out
                return;
            }
            typing.remove(s);
            broadcastTyping(s, false);
            closeIfIdle();
        }
    }

    // ---- publishing -------------------------------------------------------------------------------------------

    /** Broadcasts an event made elsewhere (REST edits, deletes, reactions, bot chunks). */
    void publish(ServerEvent event, OutboundEvent.Kind kind) {
        loop.execute(() -> {
            if (!closed) {
                broadcast(OutboundEvent.encode(registry.alloc(), event, kind, 0), null);
            }
        });
    }

    /**
     * Broadcasts at once; call on the hub loop only. The bot uses it so that what it has broadcast and the text a
     * joining subscriber's catch-up chunk is cut from (both hub-loop state) never disagree: with a queued
     * {@link #publish}, a join running between a chunk's append and its broadcast would receive that chunk twice.
     */
    void publishNow(ServerEvent event, OutboundEvent.Kind kind) {
        assert loop.inEventLoop();
        if (!closed) {
            broadcast(OutboundEvent.encode(registry.alloc(), event, kind, 0), null);
        }
    }

    /** Sends an event to one user's connections only (e.g. "delete for me"). */
    void publishToUser(String userId, ServerEvent event) {
        loop.execute(() -> {
            if (!closed) {
                sendToUser(userId, event, null);
            }
        });
    }

    /** Encoded once; one task per event loop carries it to that loop's subscribers. Consumes {@code event}. */
    private void broadcast(OutboundEvent event, Subscriber except) {
        try {
            for (Outbox outbox : outboxes.values()) {
                event.retain();
                outbox.loop.execute(() -> outbox.deliver(event, except));
            }
        } finally {
            event.release();
        }
    }

    private void sendToUser(String userId, ServerEvent event, Subscriber except) {
        List<Subscriber> subs = userId == null ? null : byUser.get(userId);
        if (subs == null || subs.isEmpty()) {
            return;
        }
        OutboundEvent ev = OutboundEvent.encode(registry.alloc(), event, OutboundEvent.Kind.ESSENTIAL, 0);
        try {
            for (Subscriber s : subs) {
                if (s == except) {
                    continue;
                }
                ev.retain();
                s.channel().eventLoop().execute(() -> {
                    try {
                        if (s.deliver(ev)) {
                            registry.meters().eventsOut(ev.type()).increment();
                        }
                    } finally {
                        ev.release();
                    }
                });
            }
        } finally {
            ev.release();
        }
    }

    /** Disconnects the connections of users who are no longer members (1008: they must not keep receiving). */
    void retainMembers(java.util.Set<String> members) {
        loop.execute(() -> byUser.forEach((user, list) -> {
            if (!members.contains(user)) {
                list.forEach(s -> s.channel().eventLoop().execute(() -> s.channel()
                        .writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(1008,
                                "no longer a member of this chat"))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE)));
            }
        }));
    }

    /** Closes all subscribers (server shutdown). */
    void closeAll(int code, String reason) {
        loop.execute(() -> byUser.values().forEach(list -> list.forEach(s -> s.channel().eventLoop().execute(() ->
                s.channel().writeAndFlush(new io.netty.handler.codec.http.websocketx.CloseWebSocketFrame(code, reason))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE)))));
    }

    private void closeIfIdle() {
        if (subscriberCount == 0 && sendQueue.isEmpty() && !sendInFlight && !readInFlight && !hasPendingReads() && !deliveredBusy
                && typing.isEmpty() && (bot == null || !bot.busy()) && !closed) {
            closed = true;
            registry.remove(this);
        }
    }

    private record PendingSend(SendCommand command, CompletableFuture<SendOutcome> result) {}
}
