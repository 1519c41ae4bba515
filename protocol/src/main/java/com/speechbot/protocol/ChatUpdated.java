package com.speechbot.protocol;

import java.time.Instant;

/** What a send changed on its chat. */
public record ChatUpdated(String id, Instant updatedAt, long messageCount) {}
