package com.speechbot.server.bot;

/**
 * Receives a streamed answer. Calls may come from any thread but never concurrently, and in order: tokens, then
 * exactly one of {@link #complete} or {@link #fail}.
 */
public interface TokenSink {
    void token(String text);

    void complete(Usage usage, String model);

    void fail(String cause, Throwable error);
}
