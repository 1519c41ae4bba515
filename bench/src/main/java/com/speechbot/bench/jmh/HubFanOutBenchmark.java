package com.speechbot.bench.jmh;

import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.hub.OutboundEvent;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunk fan-out through one chat hub to N in-memory subscribers: time from a bot chunk entering the hub (encoded
 * there, once) to the last subscriber's channel having it. Isolates the hub from the kernel's socket costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HubFanOutBenchmark {

    private static final long CHAT = 42;

    @Param({"1", "10", "100", "1000"})
    public int subscribers;

    private LocalHub hub;
    private int chunkIndex;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        hub = new LocalHub(null, Runnable::run, LocalHub.WS);
        hub.subscribe(CHAT, "member", subscribers);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    @Benchmark
    public int chunkToAllSubscribers() {
        hub.receipts.expect(subscribers);
        hub.registry.publish(CHAT, ServerEvent.chunk("msg_42_7", "token ", chunkIndex++, false), OutboundEvent.Kind.CHUNK);
        hub.receipts.await(10_000);
        return subscribers;
    }
}
