package com.speechbot.bench.jmh;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts frames arriving at the benchmark's subscribers and wakes the benchmark thread when the expected number has
 * arrived: the last receiver unparks it, so measuring costs no spinning core.
 */
final class Receipts {

    private final AtomicLong remaining = new AtomicLong();
    private volatile Thread waiter;

    void expect(long n) {
        waiter = Thread.currentThread();
        remaining.set(n);
    }

    void received() {
        received(1);
    }

    void received(int frames) {
        long before = remaining.getAndAdd(-frames);
        if (before > 0 && before - frames <= 0) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Waits until all expected frames arrived; fails loudly instead of hanging the run. */
    void await(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (remaining.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(remaining.get() + " frames did not arrive within " + timeoutMs + " ms");
            }
            LockSupport.parkNanos(this, 1_000_000);
        }
    }
}
