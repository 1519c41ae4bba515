package com.speechbot.server.error;

import com.speechbot.protocol.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A client-facing failure: handlers throw it, {@link ErrorMapper} turns it into the envelope or the error event. */
public final class ApiException extends RuntimeException {

    private final ErrorCode code;
    private final transient Object details;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, Object details) {
        // No stack trace: these are expected outcomes of bad requests, thrown at request rates.
        super(message, null, false, false);
        this.code = code;
        this.details = details;
    }

    public ErrorCode code() {
        return code;
    }

    public Object details() {
        return details;
    }

    /** A 400 whose details name the offending field, as in the spec: {@code {"content": ["Content is required"]}}. */
    public static ApiException field(ErrorCode code, String message, String field, String problem) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(field, List.of(problem));
        return new ApiException(code, message, details);
    }

    public static ApiException chatNotFound() {
        return new ApiException(ErrorCode.CHAT_NOT_FOUND, "Chat not found");
    }

    public static ApiException messageNotFound() {
        return new ApiException(ErrorCode.MESSAGE_NOT_FOUND, "Message not found");
    }
}
