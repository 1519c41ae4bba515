package com.speechbot.server.message;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One validated send: what {@link SendCommandParser} made of a REST body or a WebSocket {@code send_message}, or what
 * the bot produced. {@code fullContent} null means "same as content"; {@code status} null means the default for the role
 * ({@code sent} for users, {@code delivered} for the bot).
 */
public record SendCommand(
        String authorId,
        String role,
        String content,
        String fullContent,
        String contentType,
        String replyTo,
        String threadId,
        JsonNode metadata,
        List<NewAttachment> attachments,
        String clientMessageId,
        String status) {

    public static final String ROLE_USER = "user";
    public static final String ROLE_BOT = "bot";
    public static final Set<String> STATUSES = Set.of("sent", "delivered", "read", "edited", "typing", "failed");
    public static final Set<String> CONTENT_TYPES = Set.of("text", "markdown", "code");

    public SendCommand {
        Objects.requireNonNull(authorId, "authorId");
        Objects.requireNonNull(content, "content");
        if (!ROLE_USER.equals(role) && !ROLE_BOT.equals(role)) {
            throw new IllegalArgumentException("role must be user or bot: " + role);
        }
        contentType = contentType == null ? "text" : contentType;
        if (!CONTENT_TYPES.contains(contentType)) {
            throw new IllegalArgumentException("content type must be text, markdown or code: " + contentType);
        }
        if (status != null && !STATUSES.contains(status)) {
            throw new IllegalArgumentException("unknown status " + status);
        }
        if (metadata != null && metadata.isNull()) {
            metadata = null;
        }
        if (metadata != null && !metadata.isObject()) {
            throw new IllegalArgumentException("metadata must be an object");
        }
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /** A user's message (full content = content, default status {@code sent}). */
    public static SendCommand user(String authorId, String content, String contentType, String replyTo, String threadId,
                                   JsonNode metadata, List<NewAttachment> attachments, String clientMessageId) {
        return new SendCommand(authorId, ROLE_USER, content, null, contentType, replyTo, threadId, metadata, attachments,
                clientMessageId, null);
    }

    /** A bot message; {@code fullContent} may run ahead of {@code content} while streaming. */
    public static SendCommand bot(String botId, String content, String fullContent, String contentType, String replyTo,
                                  String threadId, JsonNode metadata, String status) {
        return new SendCommand(botId, ROLE_BOT, content, fullContent, contentType, replyTo, threadId, metadata, List.of(),
                null, status);
    }

    public String effectiveFullContent() {
        return fullContent == null ? content : fullContent;
    }

    public String effectiveStatus() {
        if (status != null) {
            return status;
        }
        return ROLE_BOT.equals(role) ? "delivered" : "sent";
    }

    /** SHA-256 over content, content type, reply_to and thread_id: what makes a client_message_id retry "the same". */
    public String contentHash() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {content, contentType, replyTo, threadId}) {
                if (part == null) {
                    md.update((byte) 0);
                } else {
                    md.update((byte) 1);
                    byte[] b = part.getBytes(StandardCharsets.UTF_8);
                    md.update(Integer.toString(b.length).getBytes(StandardCharsets.US_ASCII));
                    md.update((byte) ':');
                    md.update(b);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
