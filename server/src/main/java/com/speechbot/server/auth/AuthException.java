package com.speechbot.server.auth;

import java.util.Objects;

/** A rejected credential, with an error code and a message that are safe to send back to the client. */
public final class AuthException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public static final String AUTH_REQUIRED = "AUTH_REQUIRED";
    public static final String TOKEN_EXPIRED = "TOKEN_EXPIRED";
    public static final String INVALID_TOKEN = "INVALID_TOKEN";

    private final String code;

    public AuthException(String code, String message) {
        // Thrown for every bad request from untrusted clients: a stack trace would cost time and say nothing.
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public String code() {
        return code;
    }

    static AuthException authRequired() {
        return new AuthException(AUTH_REQUIRED, "Authentication required");
    }

    static AuthException tokenExpired() {
        return new AuthException(TOKEN_EXPIRED, "Token expired");
    }

    static AuthException invalidToken() {
        return new AuthException(INVALID_TOKEN, "Invalid token");
    }
}
