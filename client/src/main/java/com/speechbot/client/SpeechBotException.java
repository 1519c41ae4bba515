package com.speechbot.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ErrorCode;
import java.util.Optional;

/**
 * The server answered with the error envelope {@code {success: false, error, message, details, request_id}}: the HTTP
 * status, the error code (see {@link ErrorCode}), its details and the request id that ties it to the server log.
 */
public final class SpeechBotException extends RuntimeException {

    private final int status;
    private final String error;
    private final JsonNode details;
    private final String requestId;

    public SpeechBotException(int status, String error, String message, JsonNode details, String requestId) {
        super(error + ": " + message + (requestId == null ? "" : " (request " + requestId + ")"));
        this.status = status;
        this.error = error;
        this.details = details;
        this.requestId = requestId;
    }

    /** The HTTP status (0 for errors reported over the WebSocket). */
    public int status() {
        return status;
    }

    /** The error code as sent, also when this client does not know it yet. */
    public String error() {
        return error;
    }

    /** The error code, when it is one this client knows. */
    public Optional<ErrorCode> code() {
        try {
            return Optional.of(ErrorCode.valueOf(error));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean is(ErrorCode code) {
        return code.name().equals(error);
    }

    /** The envelope's {@code details} (a JSON null node when there are none). */
    public JsonNode details() {
        return details;
    }

    public String requestId() {
        return requestId;
    }
}
