package com.speechbot.bench.load;

import java.util.concurrent.TimeUnit;

/**
 * The run's clock, in {@link System#nanoTime()}: traffic starts at {@link #trafficStart}, figures count only what
 * falls in [{@link #measureStart}, {@link #measureEnd}) after the warmup, and nothing is sent after the end.
 */
final class Window {

    final long trafficStart;
    final long measureStart;
    final long measureEnd;
    final double seconds;

    private Window(long trafficStart, long measureStart, long measureEnd) {
        this.trafficStart = trafficStart;
        this.measureStart = measureStart;
        this.measureEnd = measureEnd;
        this.seconds = (measureEnd - measureStart) / 1e9;
    }

    static Window startingNow(int warmupSeconds, int durationSeconds) {
        long now = System.nanoTime();
        long start = now + TimeUnit.SECONDS.toNanos(warmupSeconds);
        return new Window(now, start, start + TimeUnit.SECONDS.toNanos(durationSeconds));
    }

    boolean inWindow(long nanos) {
        return nanos >= measureStart && nanos < measureEnd;
    }

    boolean sending(long nanos) {
        return nanos < measureEnd;
    }

    double perSecond(long count) {
        return count / seconds;
    }
}
