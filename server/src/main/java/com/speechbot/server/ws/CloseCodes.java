package com.speechbot.server.ws;

/**
 * RFC 6455 §7.4 status codes. A received close may only carry a code an endpoint is allowed to send: the defined ones
 * (1000–1003, 1007–1011), the IANA-registered 1012–1014, and the 3000–4999 ranges for libraries and applications.
 * 1004–1006 and 1015 are reserved (1005 and 1006 stand for "no code" and "no close frame" and never go on the wire);
 * the rest of 0–2999 is unassigned, and nothing is defined from 5000 up.
 */
final class CloseCodes {

    private CloseCodes() {}

    /** Whether a peer may send {@code code} in a close frame, and so whether we may echo it. */
    static boolean sendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
