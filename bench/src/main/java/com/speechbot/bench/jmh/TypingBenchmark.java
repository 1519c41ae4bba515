package com.speechbot.bench.jmh;

import com.speechbot.server.hub.Subscriber;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Typing indicators through one chat hub to N members (in memory): each invocation sends {@value #BURST} typing
 * events from one member and waits until the other N-1 have all of them. The score is typing events processed per
 * second; indicators delivered per second = score × (members − 1).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TypingBenchmark {

    static final int BURST = 100;
    private static final long CHAT = 7;

    @Param({"10", "100"})
    public int members;

    private LocalHub hub;
    private Subscriber typer;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        hub = new LocalHub(null, Runnable::run, LocalHub.WS);
        hub.subscribe(CHAT, "member", members);
        typer = hub.subscribers.get(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        hub.close();
    }

    /** One invocation: {@code BURST} typing events in, {@code BURST × (members − 1)} indicators out. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int typingBurst() {
        hub.receipts.expect((long) BURST * (members - 1));
        for (int i = 0; i < BURST; i++) {
            hub.registry.typing(typer, true);
        }
        hub.receipts.await(10_000);
        return members;
    }
}
