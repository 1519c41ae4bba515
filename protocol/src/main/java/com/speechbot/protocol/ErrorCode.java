package com.speechbot.protocol;

/** Every error code the API returns, with the HTTP status it travels with (WebSocket errors ignore the status). */
public enum ErrorCode {
    // 400
    BAD_REQUEST(400),
    INVALID_JSON(400),
    INVALID_PARAMETER(400),
    VALIDATION_ERROR(400),
    INVALID_MESSAGE_CONTENT(400),
    INVALID_CONTENT_TYPE(400),
    INVALID_REPLY_TO(400),
    INVALID_ATTACHMENT(400),
    INVALID_METADATA(400),
    INVALID_REACTION(400),
    INVALID_MEMBER(400),
    WEBSOCKET_HANDSHAKE_FAILED(400),
    // 401
    AUTH_REQUIRED(401),
    INVALID_TOKEN(401),
    TOKEN_EXPIRED(401),
    // 403
    FORBIDDEN(403),
    NOT_CHAT_OWNER(403),
    EDIT_NOT_ALLOWED(403),
    DELETE_NOT_ALLOWED(403),
    RESTORE_NOT_ALLOWED(403),
    // 404
    NOT_FOUND(404),
    CHAT_NOT_FOUND(404),
    MESSAGE_NOT_FOUND(404),
    ATTACHMENT_NOT_FOUND(404),
    // 405
    METHOD_NOT_ALLOWED(405),
    // 409
    EDIT_TIME_EXPIRED(409),
    CLIENT_MESSAGE_ID_CONFLICT(409),
    MESSAGE_NOT_RESTORABLE(409),
    // 413, 414, 415, 426, 431
    PAYLOAD_TOO_LARGE(413),
    ATTACHMENT_TOO_LARGE(413),
    URI_TOO_LONG(414),
    UNSUPPORTED_MEDIA_TYPE(415),
    UPGRADE_REQUIRED(426),
    HEADERS_TOO_LARGE(431),
    // 429, 5xx
    RATE_LIMITED(429),
    INTERNAL_ERROR(500),
    SERVICE_UNAVAILABLE(503),
    // WebSocket-only codes (status unused)
    MESSAGE_SEND_FAILED(400),
    INVALID_EVENT(400),
    UNKNOWN_EVENT_TYPE(400),
    MISSING_FIELD(400),
    CONTENT_TOO_LARGE(400),
    BINARY_NOT_SUPPORTED(400),
    MESSAGE_READ_FAILED(400),
    BOT_RESPONSE_FAILED(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
