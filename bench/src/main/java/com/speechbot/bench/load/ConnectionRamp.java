package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Opens the run's sockets with at most {@code --ramp-concurrency} handshakes in flight (and, with
 * {@code --ramp-rate}, no faster than that many per second), recording handshake latency and failures by reason.
 */
final class ConnectionRamp {

    private final Options options;
    private final WsClient client;
    private final TokenMinter tokens;

    final Latency handshake = new Latency();
    final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    double seconds;

    ConnectionRamp(Options options, WsClient client, TokenMinter tokens) {
        this.options = options;
        this.client = client;
        this.tokens = tokens;
    }

    /** Opens every connection; returns the ones that opened, in plan order. */
    List<WsConnection> open(List<WsConnection> planned, WsListener listener, Progress progress) throws InterruptedException {
        Semaphore inFlight = new Semaphore(options.rampConcurrency);
        CountDownLatch done = new CountDownLatch(planned.size());
        WsConnection[] opened = new WsConnection[planned.size()];
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        long pacingNanos = options.rampRate > 0 ? (long) (1e9 / options.rampRate) : 0;
        for (int i = 0; i < planned.size(); i++) {
            if (pacingNanos > 0) {
                long due = start + i * pacingNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            if (!inFlight.tryAcquire(options.connectTimeoutSeconds + 5L, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connection ramp stalled: no handshake finished in "
                        + (options.connectTimeoutSeconds + 5) + " s");
            }
            WsConnection c = planned.get(i);
            int slot = i;
            long t0 = System.nanoTime();
            String token = tokens.mint(c.userId);
            client.connect(c, options.wsUri(c.chat.chatId(), token), listener).whenComplete((conn, err) -> {
                inFlight.release();
                if (err == null) {
                    handshake.recordNanos(System.nanoTime() - t0);
                    opened[slot] = conn;
                    ok.incrementAndGet();
                } else {
                    String why = err instanceof WsClientHandler.HandshakeFailure ? err.getMessage() : err.toString();
                    failures.computeIfAbsent(why, k -> new LongAdder()).increment();
                }
                done.countDown();
            });
            progress.ramp(ok.get(), failureCount(), planned.size());
        }
        if (!done.await(options.connectTimeoutSeconds + 10L, TimeUnit.SECONDS)) {
            throw new IllegalStateException("connection ramp did not finish: " + done.getCount() + " handshakes pending");
        }
        seconds = (System.nanoTime() - start) / 1e9;
        progress.ramp(ok.get(), failureCount(), planned.size());
        List<WsConnection> result = new ArrayList<>(ok.get());
        for (WsConnection c : opened) {
            if (c != null) {
                result.add(c);
            }
        }
        return result;
    }

    long failureCount() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> failuresByReason() {
        Map<String, Long> m = new TreeMap<>();
        failures.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
