package com.speechbot.client.outbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A message written by this user that the server has not confirmed yet. {@code failures} counts the server's transient
 * refusals (a lost connection is not the message's fault and does not count).
 */
public record QueuedSend(
        String clientMessageId,
        String chatId,
        String content,
        String contentType,
        String replyTo,
        JsonNode metadata,
        Instant createdAt,
        int failures) {

    public QueuedSend withFailure() {
        return new QueuedSend(clientMessageId, chatId, content, contentType, replyTo, metadata, createdAt, failures + 1);
    }
}
