package com.speechbot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small JSON-over-HTTP client for end-to-end tests: real requests, real status codes. */
public final class TestHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String baseUrl;

    public TestHttp(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** A response: status, parsed JSON body (null when not JSON), raw body and headers. */
    public record Resp(int status, JsonNode json, byte[] raw, java.net.http.HttpHeaders headers) {
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The error code of an error envelope. */
        public String error() {
            return json == null ? null : json.path("error").asText(null);
        }

        public JsonNode data() {
            return json.path("data");
        }

        @Override
        public String toString() {
            return status + " " + new String(raw, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    public Resp get(String path, String token) {
        return send("GET", path, token, null);
    }

    public Resp delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    public Resp post(String path, String token, Object body) {
        return send("POST", path, token, body);
    }

    public Resp put(String path, String token, Object body) {
        return send("PUT", path, token, body);
    }

    public Resp patch(String path, String token, Object body) {
        return send("PATCH", path, token, body);
    }

    /** {@code body} may be a String (sent as is), bytes, or any object (sent as JSON); null sends no body. */
    public Resp send(String method, String path, String token, Object body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpRequest.BodyPublisher publisher;
        if (body == null) {
            publisher = HttpRequest.BodyPublishers.noBody();
        } else if (body instanceof String s) {
            publisher = HttpRequest.BodyPublishers.ofString(s);
            b.header("Content-Type", "application/json");
        } else if (body instanceof byte[] bytes) {
            publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
            b.header("Content-Type", "application/json");
        } else {
            publisher = HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body));
            b.header("Content-Type", "application/json");
        }
        b.method(method, publisher);
        try {
            HttpResponse<byte[]> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = null;
            String ct = r.headers().firstValue("content-type").orElse("");
            if (ct.startsWith("application/json") && r.body().length > 0) {
                json = Json.readTree(r.body());
            }
            return new Resp(r.statusCode(), json, r.body(), r.headers());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
