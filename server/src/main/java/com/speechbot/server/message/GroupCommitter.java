package com.speechbot.server.message;

import com.speechbot.server.metrics.ChatMeters;
import io.micrometer.core.instrument.Timer;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-chat group commit: the hubs' batches (sends, "delivered" updates, read receipts) wait in one queue, and a few lanes on the
 * database executor each store many chats' batches in one transaction — one commit (one fsync) for all of them
 * instead of one per chat. A hub keeps one batch of a kind in flight, so a chat's order is kept. If a combined
 * transaction fails, each chat's batch is retried on its own, so one bad batch cannot fail the others.
 *
 * @param <I> one chat's batch
 * @param <O> what storing it returns
 */
public final class GroupCommitter<I, O> {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitter.class);

    /** Concurrent transactions: two overlap one commit's flush with the next batch's inserts. */
    public static final int DEFAULT_LANES = 2;
    private static final int MAX_CHATS_PER_COMMIT = 128;

    private final Function<Map<Long, I>, Map<Long, O>> commitMany;
    private final BiFunction<Long, I, O> commitOne;
    private final Executor db;
    private final int lanes;
    private final Timer commitTime;
    private final ConcurrentLinkedQueue<Request<I, O>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();

    /**
     * @param commitMany stores several chats' batches in one transaction (blocking)
     * @param commitOne  stores one chat's batch in its own transaction (the fallback)
     * @param commitTime records each transaction's duration
     */
    public GroupCommitter(Function<Map<Long, I>, Map<Long, O>> commitMany, BiFunction<Long, I, O> commitOne, Executor db,
                          int lanes, Timer commitTime) {
        this.commitMany = commitMany;
        this.commitOne = commitOne;
        this.db = db;
        this.lanes = Math.max(1, lanes);
        this.commitTime = commitTime;
    }

    /** The send path: batches of {@link MessageStore#insertBatches}. */
    public static GroupCommitter<List<SendCommand>, List<SendOutcome>> sends(MessageStore store, Executor db,
                                                                              ChatMeters meters) {
        return new GroupCommitter<>(store::insertBatches, store::insertBatch, db, DEFAULT_LANES, meters.commitTime("sends"));
    }

    /** "delivered" updates: each chat's seqs that reached another member; returns those whose status changed. */
    public static GroupCommitter<List<Long>, List<Long>> deliveries(MessageStore store, Executor db, ChatMeters meters) {
        StatusStore statuses = store.statuses();
        return new GroupCommitter<>(statuses::markDeliveredBatches, statuses::markDelivered, db, DEFAULT_LANES,
                meters.commitTime("delivered"));
    }

    /** Read receipts: each chat's readers and their highest seq, stored by {@link StatusStore#markRead(long, Map)}. */
    public static GroupCommitter<Map<String, Long>, Map<String, List<ReadChange>>> receipts(MessageStore store, Executor db,
                                                                                          ChatMeters meters) {
        StatusStore statuses = store.statuses();
        return new GroupCommitter<>(statuses::markReadBatches, statuses::markRead, db, DEFAULT_LANES,
                meters.commitTime("receipts"));
    }

    /** Stores {@code batch} of {@code chat} with whatever else is waiting; completes on a database thread. */
    public CompletableFuture<O> submit(long chat, I batch) {
        Request<I, O> r = new Request<>(chat, batch, new CompletableFuture<>());
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
            List<Request<I, O>> batch;
            while (!(batch = take()).isEmpty()) {
                commit(batch);
            }
        } finally {
            running.decrementAndGet();
        }
        startLaneIfNeeded(); // a request may have arrived after this lane's last look
    }

    /** Up to {@value #MAX_CHATS_PER_COMMIT} requests, one per chat (a second one of a chat waits for the next round). */
    private List<Request<I, O>> take() {
        List<Request<I, O>> batch = new ArrayList<>();
        Set<Long> chats = new HashSet<>();
        List<Request<I, O>> deferred = null;
        Request<I, O> r;
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

    private void commit(List<Request<I, O>> batch) {
        long started = System.nanoTime();
        try {
            commitTimed(batch);
        } finally {
            commitTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void commitTimed(List<Request<I, O>> batch) {
        if (batch.size() == 1) {
            completeAlone(batch.get(0));
            return;
        }
        Map<Long, I> byChat = new LinkedHashMap<>();
        batch.forEach(r -> byChat.put(r.chat, r.input));
        Map<Long, O> outcomes;
        try {
            outcomes = commitMany.apply(byChat);
        } catch (RuntimeException e) {
            log.warn("group commit of {} chats failed; storing each on its own", batch.size(), e);
            batch.forEach(this::completeAlone);
            return;
        }
        batch.forEach(r -> r.result.complete(outcomes.get(r.chat)));
    }

    private void completeAlone(Request<I, O> r) {
        try {
            r.result.complete(commitOne.apply(r.chat, r.input));
        } catch (RuntimeException e) {
            r.result.completeExceptionally(e);
        }
    }

    private void failQueued(Throwable e) {
        Request<I, O> r;
        while ((r = queue.poll()) != null) {
            r.result.completeExceptionally(e);
        }
    }

    private record Request<I, O>(long chat, I input, CompletableFuture<O> result) {}
}
