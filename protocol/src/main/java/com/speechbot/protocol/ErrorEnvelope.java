package com.speechbot.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The error envelope {@code {success: false, error, message, details}}; {@code request_id} ties it to the server log. */
@JsonPropertyOrder({"success", "error", "message", "details", "request_id"})
public record ErrorEnvelope(
        boolean success,
        String error,
        String message,
        Object details,
        @JsonInclude(JsonInclude.Include.NON_NULL) String requestId) {

    public static ErrorEnvelope of(String error, String message, Object details, String requestId) {
        return new ErrorEnvelope(false, error, message, details, requestId);
    }
}
