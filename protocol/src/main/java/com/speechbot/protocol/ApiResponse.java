package com.speechbot.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The success envelope {@code {success: true, message?, data}}. */
@JsonPropertyOrder({"success", "message", "data"})
public record ApiResponse<T>(boolean success, @JsonInclude(JsonInclude.Include.NON_NULL) String message, T data) {

    public static <T> ApiResponse<T> ok(T data) {
        return new ApiResponse<>(true, null, data);
    }

    public static <T> ApiResponse<T> ok(String message, T data) {
        return new ApiResponse<>(true, message, data);
    }
}
