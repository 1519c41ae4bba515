package com.speechbot.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A message as the API shows it. Every field is always written ({@code null} or {@code []} when empty)
 * because the Dart client reads them by key.
 */
public record MessageView(
        String id,
        String chatId,
        String role,
        String content,
        String fullContent,
        String contentType,
        Instant timestamp,
        String status,
        JsonNode metadata,
        List<ReactionView> reactions,
        String threadId,
        String replyTo,
        Instant editedAt,
        Instant deletedAt,
        List<AttachmentView> attachments,
        List<EditEntry> editHistory,
        String clientMessageId) {

    public MessageView {
        reactions = reactions == null ? List.of() : List.copyOf(reactions);
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        editHistory = editHistory == null ? List.of() : List.copyOf(editHistory);
    }
}
