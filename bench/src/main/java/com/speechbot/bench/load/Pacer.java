package com.speechbot.bench.load;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop sending at a fixed rate on a connection's own event loop, phase-shifted at random so thousands of
 * senders do not fire together. Each send is told its <em>intended</em> time (schedule start + k x period): when
 * the loop falls behind, the late sends still carry the time they were due, so latency includes the delay the
 * tool or the server caused (no coordinated omission); {@link #lateness} shows how far behind the tool itself ran.
 */
final class Pacer implements Runnable {

    /** Called on the connection's event loop with the intended send time. */
    interface Send {
        void at(long intendedNanos);
    }

    private final Window window;
    private final long periodNanos;
    private final Send send;
    private final Latency lateness;
    private long next;
    private ScheduledFuture<?> future;

    private Pacer(Window window, long periodNanos, long first, Send send, Latency lateness) {
        this.window = window;
        this.periodNanos = periodNanos;
        this.next = first;
        this.send = send;
        this.lateness = lateness;
    }

    static void start(WsConnection c, double ratePerSecond, Window window, Latency lateness, Send send) {
        long period = Math.max(1000, (long) (1e9 / ratePerSecond));
        long delay = ThreadLocalRandom.current().nextLong(period);
        Pacer p = new Pacer(window, period, 0, send, lateness);
        c.loop().execute(() -> {
            // The schedule's origin is taken on the loop, where Netty takes its own: intended times match deadlines.
            p.next = System.nanoTime() + delay;
            p.future = c.loop().scheduleAtFixedRate(p, delay, period, TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public void run() {
        long intended = next;
        next += periodNanos;
        if (!window.sending(intended)) {
            if (future != null) {
                future.cancel(false);
            }
            return;
        }
        if (lateness != null && window.inWindow(intended)) {
            lateness.recordNanos(System.nanoTime() - intended);
        }
        send.at(intended);
    }
}
