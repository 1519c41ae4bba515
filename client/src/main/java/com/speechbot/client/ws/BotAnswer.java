package com.speechbot.client.ws;

import com.speechbot.protocol.MessageView;
import java.util.concurrent.CompletableFuture;

/**
 * One bot answer as it is written: its chunks appended in index order (a chunk at or below the last index is a repeat
 * and ignored; one further ahead carries the text of the indices it skips, as the server's catch-up and merged chunks
 * do), continued after a reconnect from {@link #lastChunkIndex()}, and completed with the stored message.
 * Thread-safe: the connection writes it, the app reads it from anywhere.
 */
public final class BotAnswer {

    private final String messageId;
    private final StringBuilder text = new StringBuilder();
    private final CompletableFuture<MessageView> completion = new CompletableFuture<>();
    private int lastChunkIndex = -1;
    private boolean streamEnded;

    BotAnswer(String messageId) {
        this.messageId = messageId;
    }

    public String messageId() {
        return messageId;
    }

    /** The text so far (the stored content once complete). */
    public synchronized String text() {
        return text.toString();
    }

    public synchronized int lastChunkIndex() {
        return lastChunkIndex;
    }

    public boolean isComplete() {
        return completion.isDone();
    }

    /** Completes with the stored message ({@code delivered} with metadata, or {@code failed}). */
    public CompletableFuture<MessageView> completion() {
        return completion;
    }

    /** Applies one chunk; returns the text it added (empty for a repeat or the closing chunk). */
    synchronized String apply(int index, String chunk, boolean isComplete) {
        if (index <= lastChunkIndex) {
            return "";
        }
        lastChunkIndex = index;
        streamEnded |= isComplete;
        text.append(chunk);
        return chunk;
    }

    /** Still streaming: the index to resume from after a reconnect. */
    synchronized boolean streaming() {
        return !streamEnded && !completion.isDone();
    }

    /** The stored version arrived; its content replaces the streamed text (they differ only if chunks were missed). */
    String complete(MessageView stored) {
        String delta;
        synchronized (this) {
            String content = stored.content() == null ? "" : stored.content();
            delta = content.startsWith(text.toString()) ? content.substring(text.length()) : "";
            text.setLength(0);
            text.append(content);
            streamEnded = true;
        }
        completion.complete(stored);
        return delta;
    }
}
