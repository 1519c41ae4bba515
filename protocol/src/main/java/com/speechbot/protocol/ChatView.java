package com.speechbot.protocol;

import java.time.Instant;
import java.util.List;

/** A chat as the API shows it. */
public record ChatView(
        String id,
        String title,
        String ownerId,
        boolean botEnabled,
        Instant createdAt,
        Instant updatedAt,
        long messageCount,
        String lastMessageId,
        List<String> members) {}
