package com.speechbot.server.error;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.ErrorEnvelope;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.auth.AuthException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into what the client sees: the REST envelope with its status, or the WebSocket
 * {@code error} event. Unexpected failures are logged once here and shown as a generic 500 without internals.
 */
public final class ErrorMapper {

    private static final Logger log = LoggerFactory.getLogger(ErrorMapper.class);

    private ErrorMapper() {}

    /** The failure as an API error: known failures map to their code, anything else to INTERNAL_ERROR (logged). */
    public static ApiException toApi(Throwable failure, String requestId) {
        Throwable t = unwrap(failure);
        if (t instanceof ApiException api) {
            return api;
        }
        if (t instanceof AuthException auth) {
            return new ApiException(ErrorCode.valueOf(auth.code()), auth.getMessage());
        }
        if (t instanceof RejectedExecutionException) {
            return new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Server is busy, retry shortly");
        }
        log.error("unexpected failure (request {})", requestId, t);
        return new ApiException(ErrorCode.INTERNAL_ERROR, "Internal server error");
    }

    public static ErrorEnvelope envelope(ApiException e, String requestId) {
        return ErrorEnvelope.of(e.code().name(), e.getMessage(), e.details(), requestId);
    }

    public static ServerEvent event(Throwable failure, String clientMessageId) {
        ApiException e = toApi(failure, null);
        return ServerEvent.error(e.code().name(), e.getMessage(), clientMessageId);
    }

    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }
}
