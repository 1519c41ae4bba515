package com.speechbot.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The bot's meters: time to first chunk, total generation time, chunks streamed and failures by cause. */
public final class BotMeters {

    public static final String TIME_TO_FIRST_CHUNK = "speechbot.bot.time.to.first.chunk";
    public static final String GENERATION = "speechbot.bot.generation";
    public static final String CHUNKS = "speechbot.bot.chunks";
    public static final String FAILURES = "speechbot.bot.failures";

    private final MeterRegistry registry;
    private final Timer firstChunk;
    private final Timer generation;
    private final Counter chunks;
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    public BotMeters(MeterRegistry registry) {
        this.registry = registry;
        this.firstChunk = Timer.builder(TIME_TO_FIRST_CHUNK).description("from the user message stored to the first bot chunk")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.generation = Timer.builder(GENERATION).description("from the user message stored to the answer complete")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.chunks = Counter.builder(CHUNKS).description("bot chunks streamed to hubs").register(registry);
    }

    public void firstChunk(long nanos) {
        firstChunk.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void generated(long nanos) {
        generation.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void chunk() {
        chunks.increment();
    }

    public void failure(String cause) {
        failures.computeIfAbsent(cause, c -> Counter.builder(FAILURES).tag("cause", c).register(registry)).increment();
    }
}
