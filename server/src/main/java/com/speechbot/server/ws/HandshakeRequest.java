package com.speechbot.server.ws;

import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.error.ApiException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Base64;

/**
 * The opening handshake's headers checked by RFC 6455 §4.2.1 before anything is looked up, so that a request the
 * server cannot accept is answered at once: 426 for a protocol version other than 13 (§4.4), 400 for a missing
 * header or a key that is not 16 base64-encoded bytes.
 */
final class HandshakeRequest {

    static final String VERSION = "13";

    private static final int KEY_BYTES = 16;
    private static final int KEY_CHARS = 24;

    private HandshakeRequest() {}

    /** Throws {@link ApiException} (UPGRADE_REQUIRED or WEBSOCKET_HANDSHAKE_FAILED) naming the first problem. */
    static void validate(HttpHeaders headers) {
        if (!headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            throw new ApiException(ErrorCode.UPGRADE_REQUIRED, "This endpoint speaks WebSocket: send an Upgrade request");
        }
        if (!headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            throw failed("The Connection header must include the Upgrade token");
        }
        String version = headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION);
        if (version == null) {
            throw failed("Missing Sec-WebSocket-Version header: use " + VERSION);
        }
        if (!VERSION.equals(version.trim())) {
            throw new ApiException(ErrorCode.UPGRADE_REQUIRED, "Unsupported WebSocket version; use " + VERSION);
        }
        String key = headers.get(HttpHeaderNames.SEC_WEBSOCKET_KEY);
        if (key == null) {
            throw failed("Missing Sec-WebSocket-Key header");
        }
        if (!validKey(key.trim())) {
            throw failed("Sec-WebSocket-Key must be 16 random bytes in base64 (24 characters)");
        }
    }

    private static boolean validKey(String key) {
        if (key.length() != KEY_CHARS) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == KEY_BYTES;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ApiException failed(String message) {
        return new ApiException(ErrorCode.WEBSOCKET_HANDSHAKE_FAILED, message);
    }
}
