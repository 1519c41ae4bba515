package com.speechbot.protocol;

import java.time.Instant;

/** One user's reaction with one emoji. */
public record ReactionView(String emoji, String userId, Instant timestamp) {}
