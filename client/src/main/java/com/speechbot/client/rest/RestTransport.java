package com.speechbot.client.rest;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.speechbot.client.SpeechBotException;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.codec.Json;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * JSON over HTTP with the bearer token: unwraps the success envelope's {@code data} into a type, turns the error
 * envelope into {@link SpeechBotException}. A {@code TOKEN_EXPIRED} answer is retried once with a fresh token.
 */
public final class RestTransport {

    private final HttpClient http;
    private final URI base;
    private final Supplier<String> tokens;
    private final Duration timeout;

    public RestTransport(HttpClient http, URI base, Supplier<String> tokens, Duration timeout) {
        this.http = http;
        this.base = base;
        this.tokens = tokens;
        this.timeout = timeout;
    }

    /** Calls {@code method path} (path from the root: {@code /v1/...}) with an optional JSON body; returns the envelope's {@code data} as {@code type}. */
    public <T> T call(String method, String path, Object body, JavaType type) {
        JsonNode data = send(method, path, body).path("data");
        return Json.mapper().convertValue(data, type);
    }

    public <T> T call(String method, String path, Object body, Class<T> type) {
        return call(method, path, body, Json.mapper().constructType(type));
    }

    /** The raw bytes of a GET (attachments). */
    public byte[] bytes(String path) {
        HttpResponse<byte[]> res = exchange("GET", path, null);
        if (res.statusCode() / 100 != 2) {
            throw error(res.statusCode(), res.body());
        }
        return res.body();
    }

    private JsonNode send(String method, String path, Object body) {
        HttpResponse<byte[]> res = exchange(method, path, body);
        if (res.statusCode() / 100 != 2) {
            throw error(res.statusCode(), res.body());
        }
        try {
            return Json.readTree(res.body());
        } catch (IOException e) {
            throw new UncheckedIOException("malformed response to " + method + " " + path, e);
        }
    }

    private HttpResponse<byte[]> exchange(String method, String path, Object body) {
        HttpResponse<byte[]> res = once(method, path, body);
        if (res.statusCode() == 401 && isExpired(res.body())) {
            res = once(method, path, body); // the supplier hands out a fresh token
        }
        return res;
    }

    private HttpResponse<byte[]> once(String method, String path, Object body) {
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body));
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve(path.substring(1)))
                .timeout(timeout)
                .header("Authorization", "Bearer " + tokens.get())
                .method(method, publisher);
        if (body != null) {
            req.header("Content-Type", "application/json");
        }
        try {
            return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new InterruptedIOException(method + " " + path + " interrupted"));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
    }

    private static boolean isExpired(byte[] body) {
        return ErrorCode.TOKEN_EXPIRED.name().equals(envelope(body).path("error").asText());
    }

    /** The typed error of a non-2xx answer; a body that is not the envelope still yields the status. */
    public static SpeechBotException error(int status, byte[] body) {
        JsonNode env = envelope(body);
        String code = env.path("error").asText(status == 0 ? "NETWORK_ERROR" : "HTTP_" + status);
        JsonNode details = env.has("details") ? env.get("details") : NullNode.getInstance();
        return new SpeechBotException(status, code, env.path("message").asText(""), details,
                env.path("request_id").textValue());
    }

    private static JsonNode envelope(byte[] body) {
        try {
            JsonNode n = body == null || body.length == 0 ? null : Json.readTree(body);
            return n == null ? NullNode.getInstance() : n;
        } catch (IOException e) {
            return NullNode.getInstance();
        }
    }
}
