package com.speechbot.server.logging;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Keeps a long blocking step from going silent: while it runs, "still <what> (N s)" is logged every
 * {@link #INTERVAL_SECONDS} seconds, so an operator watching a slow start (first initdb, a long migration, a
 * database that does not answer) sees the server is alive and what it waits for.
 * <pre>
 * try (Progress p = Progress.start(log, "starting embedded PostgreSQL")) {
 *     ...blocking work...
 * }
 * </pre>
 */
public final class Progress implements AutoCloseable {

    public static final long INTERVAL_SECONDS = 3;

    private static final ScheduledExecutorService TICKER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress");
        t.setDaemon(true);
        return t;
    });

    private final ScheduledFuture<?> ticks;

    private Progress(Logger log, String what, long intervalMs) {
        long started = System.nanoTime();
        this.ticks = TICKER.scheduleAtFixedRate(() -> log.info("still {} ({} s)", what,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)), intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    /** Starts reporting {@code what} to {@code log}; close it when the step is over. */
    public static Progress start(Logger log, String what) {
        return new Progress(log, what, TimeUnit.SECONDS.toMillis(INTERVAL_SECONDS));
    }

    static Progress start(Logger log, String what, long intervalMs) {
        return new Progress(log, what, intervalMs);
    }

    @Override
    public void close() {
        ticks.cancel(false);
    }
}
