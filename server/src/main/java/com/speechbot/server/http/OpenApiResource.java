package com.speechbot.server.http;

import com.speechbot.server.error.ApiException;
import com.speechbot.protocol.ErrorCode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/openapi.json} (no token): the OpenAPI 3.1 description of every route, schema and error code, with the
 * WebSocket events under {@code x-websocket}. A static resource read once at start; {@code OpenApiTest} keeps it
 * equal to what the router serves.
 */
public final class OpenApiResource {

    public static final String PATH = "/v1/openapi.json";
    public static final String RESOURCE = "api/openapi.json";

    private final byte[] document;
    private final String etag;

    public OpenApiResource() {
        this.document = read();
        this.etag = "\"" + sha256(document).substring(0, 20) + "\"";
    }

    public void register(Router router) {
        router.addPublic(HttpMethod.GET, PATH, rc -> {
            String ifNoneMatch = rc.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            HttpResult r = etag.equals(ifNoneMatch)
                    ? new HttpResult(HttpResponseStatus.NOT_MODIFIED, null, new byte[0], "application/json; charset=utf-8", null)
                    : HttpResult.bytes(document, "application/json; charset=utf-8", null);
            return CompletableFuture.completedFuture(r
                    .withHeader(HttpHeaderNames.ETAG.toString(), etag)
                    .withHeader(HttpHeaderNames.CACHE_CONTROL.toString(), "no-cache")
                    // tools such as Swagger UI on another origin may read it: it holds nothing secret
                    .withHeader(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN.toString(), "*"));
        });
    }

    /** The document's bytes (UTF-8 JSON). */
    public static byte[] read() {
        try (InputStream in = OpenApiResource.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new ApiException(ErrorCode.INTERNAL_ERROR, "the OpenAPI document is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
