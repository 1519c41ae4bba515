package com.speechbot.server.hub;

import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.bot.BotStore;
import com.speechbot.server.chat.ChatListener;
import com.speechbot.server.chat.ChatRow;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.message.GroupCommitter;
import com.speechbot.server.message.MessageEvents;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.ReadChange;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.message.SendOutcome;
import com.speechbot.server.metrics.ChatMeters;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import com.speechbot.server.store.DbCalls;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds or creates the hub of a chat, pinned to one of the worker event loops by chat number. It is also the path
 * every send takes (REST and WebSocket alike) and receives the REST layer's change notifications to push them.
 */
public final class HubRegistry implements MessageEvents, ChatListener {

    static final Logger log = LoggerFactory.getLogger(HubRegistry.class);

    private final ConcurrentHashMap<Long, ChatHub> hubs = new ConcurrentHashMap<>();
    private final EventLoop[] loops;
    private final Map<EventLoop, LoopFlusher> flushers;
    private final MessageStore store;
    private final Executor dbExecutor;
    private final ChatMeters meters;
    private final ServerConfig.WebSocket ws;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final BotContext bot;
    private final GroupCommitter<List<SendCommand>, List<SendOutcome>> committer;
    private final GroupCommitter<Map<String, Long>, Map<String, List<ReadChange>>> receipts;
    private final GroupCommitter<List<Long>, List<Long>> deliveries;
    private final java.util.function.LongFunction<java.util.Collection<String>> members;

    /**
     * {@code bot} may be null: no bot answers (benchmarks of the bare hub). {@code members} is a blocking lookup of a
     * chat's member ids, used after membership changes to disconnect removed members.
     */
    public HubRegistry(EventLoopGroup workers, MessageStore store, Executor dbExecutor, ChatMeters meters,
                       ServerConfig.WebSocket ws, BotContext bot,
                       java.util.function.LongFunction<java.util.Collection<String>> members) {
        this.bot = bot;
        this.members = members;
        this.committer = GroupCommitter.sends(store, dbExecutor, meters);
        this.receipts = GroupCommitter.receipts(store, dbExecutor, meters);
        this.deliveries = GroupCommitter.deliveries(store, dbExecutor, meters);
        List<EventLoop> list = new ArrayList<>();
        Map<EventLoop, LoopFlusher> f = new HashMap<>();
        for (EventExecutor e : workers) {
            EventLoop loop = (EventLoop) e;
            list.add(loop);
            f.put(loop, new LoopFlusher(loop));
        }
        this.loops = list.toArray(new EventLoop[0]);
        this.flushers = Map.copyOf(f);
        this.store = store;
        this.dbExecutor = dbExecutor;
        this.meters = meters;
        this.ws = ws;
    }

    ChatHub hub(long chat) {
        return hubs.computeIfAbsent(chat, c -> {
            meters.hubOpened();
            // Spread chats over the loops; a chat always lands on the same loop while its hub lives.
            int i = (int) Math.floorMod(c * 0x9E3779B97F4A7C15L >>> 16, (long) loops.length);
            return new ChatHub(c, loops[i], this);
        });
    }

    ChatHub existing(long chat) {
        return hubs.get(chat);
    }

    void remove(ChatHub hub) {
        if (hubs.remove(hub.chat, hub)) {
            meters.hubClosed();
        }
    }

    /** A subscriber for a freshly upgraded connection (not yet joined). */
    public Subscriber newSubscriber(Channel channel, String userId, long chat) {
        LoopFlusher flusher = flushers.get(channel.eventLoop());
        if (flusher == null) {
            throw new IllegalStateException("channel is not on a worker loop of this registry");
        }
        return new Subscriber(channel, userId, chat, meters, ws, flusher);
    }

    /** Joins {@code s} to its chat; {@code onLive} runs on the subscriber's loop once it receives live events. */
    public void join(Subscriber s, Runnable onLive) {
        hub(s.chat()).join(s, onLive);
    }

    public void leave(Subscriber s) {
        ChatHub hub = hubs.get(s.chat());
        if (hub != null) {
            hub.leave(s);
        }
    }

    /** Stores {@code command} through the chat's hub (group commit) and broadcasts it once stored. */
    public CompletableFuture<SendOutcome> send(long chat, SendCommand command) {
        CompletableFuture<SendOutcome> result = new CompletableFuture<>();
        hub(chat).send(command, result);
        return result;
    }

    public CompletableFuture<Void> markRead(long chat, String userId, long seq) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        hub(chat).markRead(userId, seq, result);
        return result;
    }

    /** Completes once every read receipt of {@code chat} queued so far is persisted. */
    public CompletableFuture<Void> readsFlushed(long chat) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        ChatHub hub = hubs.get(chat);
        if (hub == null) {
            result.complete(null);
        } else {
            hub.readsFlushed(result);
        }
        return result;
    }

    public void typing(Subscriber s, boolean isTyping) {
        ChatHub hub = hubs.get(s.chat());
        if (hub != null) {
            hub.typing(s, isTyping);
        }
    }

    /** Publishes to every subscriber of the chat, if any. */
    public void publish(long chat, ServerEvent event, OutboundEvent.Kind kind) {
        ChatHub hub = hubs.get(chat);
        if (hub != null) {
            hub.publish(event, kind);
        }
    }

    @Override
    public void messageUpdated(long chat, MessageView view) {
        publish(chat, ServerEvent.messageUpdated(view), OutboundEvent.Kind.ESSENTIAL);
    }

    @Override
    public void messageDeleted(long chat, DeletionResult r, String actorId) {
        ServerEvent e = ServerEvent.messageDeleted(r.messageId(), r.deletionType(), r.deletedFor(), r.deletedAt());
        ChatHub hub = hubs.get(chat);
        if (hub == null) {
            return;
        }
        if ("me".equals(r.deletedFor())) {
            hub.publishToUser(actorId, e);
        } else {
            hub.publish(e, OutboundEvent.Kind.ESSENTIAL);
        }
    }

    @Override
    public void reactionUpdated(long chat, ReactionResult r) {
        publish(chat, ServerEvent.reactionUpdated(r.messageId(), r.action(), r.reaction(), r.totalReactions()),
                OutboundEvent.Kind.ESSENTIAL);
    }

    /** Writes one replayed message to {@code s}; call on the subscriber's loop. */
    public void replayTo(Subscriber s, ServerEvent event, long seq) {
        s.writeDirect(OutboundEvent.encode(alloc, event, OutboundEvent.Kind.ESSENTIAL, seq));
    }

    /**
     * Ends a replay that covered messages up to {@code lastSeq}; call on the subscriber's loop. {@code resume_complete}
     * goes right after the replayed messages, before the live events held meanwhile: it marks where live begins.
     */
    public void endReplay(Subscriber s, long lastSeq, int replayed) {
        sendDirect(s, new ServerEvent(ServerEvent.RESUME_COMPLETE, java.util.Map.of(
                "last_message_id", lastSeq > 0 ? com.speechbot.protocol.Ids.messageId(s.chat(), lastSeq) : "",
                "replayed", replayed)));
        s.endReplay(lastSeq);
    }

    /** Replies to one connection; call on the subscriber's loop. */
    public void sendDirect(Subscriber s, ServerEvent event) {
        s.writeDirect(OutboundEvent.encode(alloc, event, OutboundEvent.Kind.ESSENTIAL, 0));
        meters.eventsOut(event.type()).increment();
    }

    /** Closes every WebSocket with {@code code} (1001 on shutdown). */
    public void closeAll(int code, String reason) {
        hubs.values().forEach(h -> h.closeAll(code, reason));
    }

    @Override
    public void chatChanged(long chat, ChatRow row) {
        ChatHub hub = hubs.get(chat);
        if (hub != null) {
            hub.setBotEnabled(row.botEnabled());
        }
    }

    /** Called on a database thread after the commit (listener contract), so the blocking lookup is allowed here. */
    @Override
    public void membersChanged(long chat) {
        ChatHub hub = hubs.get(chat);
        if (hub != null && members != null) {
            hub.retainMembers(java.util.Set.copyOf(members.apply(chat)));
        }
    }

    /** {@code cancel_generation}: completes with whether an answer was running. */
    public CompletableFuture<Boolean> cancelGeneration(long chat) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        ChatHub hub = hubs.get(chat);
        if (hub == null) {
            result.complete(false);
        } else {
            hub.cancelGeneration(result);
        }
        return result;
    }

    /**
     * Puts the questions a stop left in the bots' queues back into them (see {@link BotStore#unansweredSince}): a user
     * who asked twice just before a deploy still gets both answers. Runs on the database executor; completes with
     * how many were queued. Called once at start, before any client can send.
     */
    public CompletableFuture<Integer> resumeUnansweredQuestions(Duration window) {
        if (bot == null) {
            return CompletableFuture.completedFuture(0);
        }
        return DbCalls.supply(() -> {
            int queued = 0;
            for (BotStore.Unanswered u : bot.botStore().unansweredSince(Instant.now().minus(window))) {
                List<MessageView> view = bot.messages().after(u.chat(), null, u.seq() - 1, 1);
                if (!view.isEmpty()) {
                    hub(u.chat()).resumeAnswer(view.get(0), u.seq());
                    queued++;
                }
            }
            return queued;
        }, dbExecutor);
    }

    BotContext bot() {
        return bot;
    }

    GroupCommitter<List<SendCommand>, List<SendOutcome>> committer() {
        return committer;
    }

    GroupCommitter<Map<String, Long>, Map<String, List<ReadChange>>> receipts() {
        return receipts;
    }

    GroupCommitter<List<Long>, List<Long>> deliveries() {
        return deliveries;
    }

    MessageStore store() {
        return store;
    }

    Executor dbExecutor() {
        return dbExecutor;
    }

    public ChatMeters meters() {
        return meters;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    boolean coalesceReads() {
        return ws.coalesceReadReceipts();
    }

    long typingTtlMs() {
        return ws.typingTtlMs();
    }
}
