package com.speechbot.protocol;

import java.time.Instant;

/** The {@code data} of a delete. */
public record DeletionResult(String messageId, String deletionType, String deletedFor, Instant deletedAt, boolean canRestore) {}
