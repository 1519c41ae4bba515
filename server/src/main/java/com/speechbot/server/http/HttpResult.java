package com.speechbot.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a route answers: a JSON body (serialized by the router) or raw bytes with their content type, plus any extra
 * response headers (caching, validators, security policy).
 */
public record HttpResult(HttpResponseStatus status, Object json, byte[] bytes, String contentType, String contentDisposition,
                         Map<String, String> headers) {

    public HttpResult {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public HttpResult(HttpResponseStatus status, Object json, byte[] bytes, String contentType, String contentDisposition) {
        this(status, json, bytes, contentType, contentDisposition, Map.of());
    }

    public static HttpResult ok(Object json) {
        return new HttpResult(HttpResponseStatus.OK, json, null, null, null);
    }

    public static HttpResult created(Object json) {
        return new HttpResult(HttpResponseStatus.CREATED, json, null, null, null);
    }

    public static HttpResult of(HttpResponseStatus status, Object json) {
        return new HttpResult(status, json, null, null, null);
    }

    public static HttpResult bytes(byte[] bytes, String contentType, String contentDisposition) {
        return new HttpResult(HttpResponseStatus.OK, null, bytes, contentType, contentDisposition);
    }

    public static HttpResult text(HttpResponseStatus status, String text, String contentType) {
        return new HttpResult(status, null, text.getBytes(java.nio.charset.StandardCharsets.UTF_8), contentType, null);
    }

    /** This result with one more response header (replacing one of the same name). */
    public HttpResult withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpResult(status, json, bytes, contentType, contentDisposition, h);
    }
}
