package com.speechbot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.error.ApiException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An authenticated, fully read request as a route sees it; the Netty request is already released, so this is safe
 * to keep across threads.
 */
public final class RequestContext {

    private final HttpMethod method;
    private final String path;
    private final Map<String, String> pathParams;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final String userId;
    private final String requestId;
    private JsonNode json;

    public RequestContext(HttpMethod method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                          HttpHeaders headers, byte[] body, String userId, String requestId) {
        this.method = method;
        this.path = path;
        this.pathParams = pathParams;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.userId = userId;
        this.requestId = requestId;
    }

    public HttpMethod method() {
        return method;
    }

    public String path() {
        return path;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The caller: the {@code sub} of a verified token. */
    public String userId() {
        return userId;
    }

    public String requestId() {
        return requestId;
    }

    public byte[] body() {
        return body;
    }

    public String pathParam(String name) {
        String v = pathParams.get(name);
        if (v == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return v;
    }

    /** The chat number of the {@code chat_id} path parameter; malformed ids are simply unknown chats. */
    public long chatNumber() {
        OptionalLong n = Ids.parseChatId(pathParam("chat_id"));
        if (n.isEmpty()) {
            throw ApiException.chatNotFound();
        }
        return n.getAsLong();
    }

    /** The seq of the {@code message_id} path parameter, which must belong to chat {@code chat}. */
    public long messageSeq(long chat) {
        Ids.MessageKey key = Ids.parseMessageId(pathParam("message_id"));
        if (key == null || key.chat() != chat) {
            throw ApiException.messageNotFound();
        }
        return key.seq();
    }

    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(values.get(values.size() - 1));
    }

    /** An integer query parameter within [min, max]; anything else is a 400 naming the parameter. */
    public int queryInt(String name, int defaultValue, int min, int max) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(raw.get().trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter '" + name + "'", name,
                "Must be an integer between " + min + " and " + max);
    }

    /** A boolean query parameter ({@code true|false|1|0}). */
    public boolean queryBoolean(String name, boolean defaultValue) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        return switch (raw.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter '" + name + "'",
                    name, "Must be true or false");
        };
    }

    /** One of the allowed values, case-insensitively; anything else is a 400 naming the parameter. */
    public String queryEnum(String name, String defaultValue, String... allowed) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        String v = raw.get().trim().toLowerCase(java.util.Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter '" + name + "'", name,
                "Must be one of " + String.join(", ", allowed));
    }

    /** The body as a JSON object; empty, malformed or non-object bodies are a 400 INVALID_JSON. */
    public JsonNode jsonBody() {
        if (json == null) {
            if (body == null || body.length == 0) {
                throw new ApiException(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
            }
            JsonNode parsed;
            try {
                parsed = Json.readTree(body);
            } catch (IOException e) {
                throw new ApiException(ErrorCode.INVALID_JSON, "Malformed JSON: " + firstLine(e.getMessage()));
            }
            if (parsed == null || !parsed.isObject()) {
                throw new ApiException(ErrorCode.INVALID_JSON, "Request body must be a JSON object");
            }
            json = parsed;
        }
        return json;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
