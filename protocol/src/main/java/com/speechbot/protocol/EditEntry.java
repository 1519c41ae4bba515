package com.speechbot.protocol;

import java.time.Instant;

/** A previous version of an edited message. */
public record EditEntry(String content, Instant editedAt, String editReason) {}
