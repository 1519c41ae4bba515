package com.speechbot.server.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/** Hands blocking store calls to the database executor; a full queue fails the future instead of throwing on a loop. */
public final class DbCalls {

    private DbCalls() {}

    public static <T> CompletableFuture<T> supply(Supplier<T> call, Executor db) {
        try {
            return CompletableFuture.supplyAsync(call, db);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    public static CompletableFuture<Void> run(Runnable call, Executor db) {
        try {
            return CompletableFuture.runAsync(call, db);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
