package com.speechbot.server.auth;

import java.time.Instant;
import java.util.Objects;

/** The caller a verified token speaks for: its {@code sub} and when the token stops being valid. */
public record AuthenticatedUser(String userId, Instant expiresAt) {

    public AuthenticatedUser {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
