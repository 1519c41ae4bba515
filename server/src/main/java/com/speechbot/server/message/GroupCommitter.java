package com.speechbot.server.message;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-chat group commit: the hubs' send batches wait in one queue, and a few lanes on the database executor each
 * store many chats' batches in one transaction — one commit (one fsync) for all of them instead of one per chat.
 * A hub keeps one batch in flight, so a chat's order is kept. If a combined transaction fails, each chat's batch is
 * retried on its own, so one bad batch cannot fail the others.
 */
public final class GroupCommitter {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /** Concurrent transactions: two overlap one commit's flush with the next batch's inserts. */
    public static final int DEFAULT_LANES = 2;
    private static final int MAX_CHATS_PER_COMMIT = 128;

    private final MessageStore store;
    private final Executor db;
    private final int lanes;
    private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();

    public GroupCommitter(MessageStore store, Executor db, int lanes) {
        this.store = store;
        this.db = db;
        this.lanes = Math.max(1, lanes);
    }

    /** Stores {@code commands} of {@code chat} with whatever else is waiting; completes on a database thread. */
    public CompletableFuture<List<SendOutcome>> submit(long chat, List<SendCommand> commands) {
        Request r = new Request(chat, commands, new CompletableFuture<>());
        queue.add(r);
        startLaneIfNeeded();
        return r.result;
    }

    private void startLaneIfNeeded() {
        while (!queue.isEmpty()) {
            int n = running.get();
            if (n >= lanes) {
                return; // a running lane will pick the request up
            }
            if (running.compareAndSet(n, n + 1)) {
                try {
                    db.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    running.decrementAndGet();
                    failQueued(e);
                }
                return;
            }
        }
    }

    private void drain() {
        try {
            List<Request> batch;
            while (!(batch = take()).isEmpty()) {
                commit(batch);
            }
        } finally {
            running.decrementAndGet();
        }
        startLaneIfNeeded(); // a request may have arrived after this lane's last look
    }

    /** Up to {@value #MAX_CHATS_PER_COMMIT} requests, one per chat (a second one of a chat waits for the next round). */
    private List<Request> take() {
        List<Request> batch = new ArrayList<>();
        Set<Long> chats = new HashSet<>();
        List<Request> deferred = null;
        Request r;
        while (batch.size() < MAX_CHATS_PER_COMMIT && (r = queue.poll()) != null) {
            if (chats.add(r.chat)) {
                batch.add(r);
            } else {
                (deferred == null ? deferred = new ArrayList<>() : deferred).add(r);
            }
        }
        if (deferred != null) {
            queue.addAll(deferred);
        }
        return batch;
    }

    private void commit(List<Request> batch) {
        if (batch.size() == 1) {
            Request only = batch.get(0);
            completeAlone(only);
            return;
        }
        Map<Long, List<SendCommand>> byChat = new LinkedHashMap<>();
        batch.forEach(r -> byChat.put(r.chat, r.commands));
        Map<Long, List<SendOutcome>> outcomes;
        try {
            outcomes = store.insertBatches(byChat);
        } catch (RuntimeException e) {
            log.warn("group commit of {} chats failed; storing each on its own", batch.size(), e);
            batch.forEach(this::completeAlone);
            return;
        }
        batch.forEach(r -> r.result.complete(outcomes.get(r.chat)));
    }

    private void completeAlone(Request r) {
        try {
            r.result.complete(store.insertBatch(r.chat, r.commands));
        } catch (RuntimeException e) {
            r.result.completeExceptionally(e);
        }
    }

    private void failQueued(Throwable e) {
        Request r;
        while ((r = queue.poll()) != null) {
            r.result.completeExceptionally(e);
        }
    }

    private record Request(long chat, List<SendCommand> commands, CompletableFuture<List<SendOutcome>> result) {}
}
