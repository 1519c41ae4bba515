package com.speechbot.client.ws;

/** Why a connection ended, from its close code or handshake answer; decides how the client reconnects. */
public enum CloseReason {
    /** 1000: closed normally by the server. */
    NORMAL,
    /** 1001: the server is shutting down; reconnect (with backoff) and resume. */
    SERVER_GOING_AWAY,
    /** 1008, or no frame from the server within the heartbeat timeout. */
    HEARTBEAT_TIMEOUT,
    /** 1009: a frame was larger than the server allows. */
    FRAME_TOO_LARGE,
    /** 1013: this client read too slowly; back off longer, then resume (nothing is lost). */
    SLOW_CONSUMER,
    /** 401 on the upgrade: the token expired or was rejected; reconnect with a fresh one from the supplier. */
    TOKEN_REJECTED,
    /** 404/403 on the upgrade: not a member of the chat (or no such chat); the connection stops. */
    CHAT_NOT_FOUND,
    /** A network error, a refused connection or {@link ChatConnection#reconnectNow()}. */
    NETWORK,
    /** {@link ChatConnection#close()}. */
    CLOSED_BY_CLIENT;

    static CloseReason ofCloseCode(int code) {
        return switch (code) {
            case 1000 -> NORMAL;
            case 1001 -> SERVER_GOING_AWAY;
            case 1008 -> HEARTBEAT_TIMEOUT;
            case 1009 -> FRAME_TOO_LARGE;
            case 1013 -> SLOW_CONSUMER;
            default -> NETWORK;
        };
    }

    static CloseReason ofHandshakeStatus(int status) {
        return switch (status) {
            case 401 -> TOKEN_REJECTED;
            case 403, 404 -> CHAT_NOT_FOUND;
            default -> NETWORK;
        };
    }

    /** Whether the connection tries again after this. */
    public boolean reconnects() {
        return this != CHAT_NOT_FOUND && this != CLOSED_BY_CLIENT;
    }
}
