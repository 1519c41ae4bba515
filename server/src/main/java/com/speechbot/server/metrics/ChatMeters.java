package com.speechbot.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The realtime layer's meters: connections, events by type, fan-out latency and each slow-consumer policy. */
public final class ChatMeters {

    public static final String CONNECTIONS = "speechbot.ws.connections";
    public static final String EVENTS_IN = "speechbot.ws.events.in";
    public static final String EVENTS_OUT = "speechbot.ws.events.out";
    public static final String FANOUT_LATENCY = "speechbot.ws.fanout.latency";
    public static final String SLOW_CONSUMER_CLOSES = "speechbot.ws.slow.consumer.closes";
    public static final String TYPING_DROPPED = "speechbot.ws.typing.dropped";
    public static final String CHUNKS_MERGED = "speechbot.ws.chunks.merged";
    public static final String ACTIVE_HUBS = "speechbot.hubs.active";
    public static final String SEND_BATCH_SIZE = "speechbot.store.send.batch.size";
    public static final String COMMIT_TIME = "speechbot.store.commit";

    private final MeterRegistry registry;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger hubs = new AtomicInteger();
    private final Map<String, Counter> in = new ConcurrentHashMap<>();
    private final Map<String, Counter> out = new ConcurrentHashMap<>();
    private final Timer fanout;
    private final Counter slowCloses;
    private final Counter typingDropped;
    private final Counter chunksMerged;
    private final io.micrometer.core.instrument.DistributionSummary batchSize;

    public ChatMeters(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge(CONNECTIONS, connections);
        registry.gauge(ACTIVE_HUBS, hubs);
        this.fanout = Timer.builder(FANOUT_LATENCY)
                .description("time from a chat event entering its hub to its frame being written to the last subscriber")
                .publishPercentiles(0.5, 0.99, 0.999)
                .publishPercentileHistogram(true)
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        this.slowCloses = Counter.builder(SLOW_CONSUMER_CLOSES).description("subscribers closed with 1013").register(registry);
        this.typingDropped = Counter.builder(TYPING_DROPPED).description("typing events not sent to unwritable subscribers")
                .register(registry);
        this.chunksMerged = Counter.builder(CHUNKS_MERGED).description("bot chunks merged for unwritable subscribers")
                .register(registry);
        this.batchSize = io.micrometer.core.instrument.DistributionSummary.builder(SEND_BATCH_SIZE)
                .description("messages stored per group-commit transaction").register(registry);
    }

    public void connectionOpened() {
        connections.incrementAndGet();
    }

    public int openConnections() {
        return connections.get();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void hubOpened() {
        hubs.incrementAndGet();
    }

    public void hubClosed() {
        hubs.decrementAndGet();
    }

    public void eventIn(String type) {
        in.computeIfAbsent(type, t -> Counter.builder(EVENTS_IN).tag("type", t).register(registry)).increment();
    }

    /** Counter for frames written of one type; callers keep it to avoid a lookup per write. */
    public Counter eventsOut(String type) {
        return out.computeIfAbsent(type, t -> Counter.builder(EVENTS_OUT).tag("type", t).register(registry));
    }

    public void fanout(long nanos) {
        fanout.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void slowConsumerClosed() {
        slowCloses.increment();
    }

    public void typingDropped() {
        typingDropped.increment();
    }

    public void chunkMerged() {
        chunksMerged.increment();
    }

    public void sendBatch(int size) {
        batchSize.record(size);
    }

    /**
     * The duration of one group-commit transaction of {@code kind} (sends, delivered, receipts), from taking the
     * batch on a database thread to the commit: what the database costs each message before it is broadcast.
     */
    public Timer commitTime(String kind) {
        return Timer.builder(COMMIT_TIME).tag("kind", kind)
                .description("group-commit transactions, from the start of the transaction to its commit")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram(true)
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
    }
}
