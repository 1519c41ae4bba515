package com.speechbot.client.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;

/**
 * The body of a send (REST {@code POST /messages} and the WebSocket {@code send_message} data). A retry with the same
 * {@code client_message_id} is answered with the stored copy, never stored twice.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NewMessage(
        String content,
        String contentType,
        String clientMessageId,
        String replyTo,
        String threadId,
        JsonNode metadata,
        List<Attachment> attachments) {

    public static NewMessage text(String content, String clientMessageId) {
        return new NewMessage(content, "text", clientMessageId, null, null, null, null);
    }

    public NewMessage withReplyTo(String messageId) {
        return new NewMessage(content, contentType, clientMessageId, messageId, threadId, metadata, attachments);
    }

    public NewMessage withMetadata(JsonNode value) {
        return new NewMessage(content, contentType, clientMessageId, replyTo, threadId, value, attachments);
    }

    public NewMessage withAttachments(List<Attachment> value) {
        return new NewMessage(content, contentType, clientMessageId, replyTo, threadId, metadata, value);
    }

    /** A file sent inline (base64) with the message. */
    public record Attachment(String filename, String contentType, long size, String data) {
        public static Attachment of(String filename, String contentType, byte[] bytes) {
            return new Attachment(filename, contentType, bytes.length, Base64.getEncoder().encodeToString(bytes));
        }
    }
}
