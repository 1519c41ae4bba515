package com.speechbot.server.bot;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link TokenSink} that records what it is told; {@link #violations} counts calls after the end. */
final class RecordingSink implements TokenSink {

    final List<String> tokens = new ArrayList<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    final AtomicInteger violations = new AtomicInteger();
    volatile Usage usage;
    volatile String model;
    volatile String failure;
    volatile Throwable error;

    @Override
    public synchronized void token(String text) {
        if (done.isDone()) {
            violations.incrementAndGet();
        }
        tokens.add(text);
    }

    @Override
    public void complete(Usage usage, String model) {
        this.usage = usage;
        this.model = model;
        if (!done.complete(null)) {
            violations.incrementAndGet();
        }
    }

    @Override
    public void fail(String cause, Throwable error) {
        this.failure = cause;
        this.error = error;
        if (!done.complete(null)) {
            violations.incrementAndGet();
        }
    }

    synchronized int count() {
        return tokens.size();
    }

    synchronized String text() {
        return String.join("", tokens);
    }

    synchronized List<String> tokens() {
        return List.copyOf(tokens);
    }
}
