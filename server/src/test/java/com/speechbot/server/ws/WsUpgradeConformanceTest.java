package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The opening handshake against RFC 6455 §4.2: a request the server cannot accept is answered at once (never left
 * hanging) with an HTTP error in the API envelope — 426 and {@code Sec-WebSocket-Version: 13} for another protocol
 * version, 400 for a malformed key or a missing header.
 */
class WsUpgradeConformanceTest {

    private final TestServer server = TestServer.shared();
    private String path;

    @BeforeEach
    void chat() {
        String alice = TestServer.newUser("alice");
        path = "/v1/chats/" + createChat(server, alice) + "/ws?token=" + server.token(alice);
    }

    /** A valid upgrade request with {@code changes} applied (a null value leaves the header out). */
    private WsTestClient.Raw.Answer upgrade(Map<String, String> changes) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", "127.0.0.1:" + server.port());
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.put("Sec-WebSocket-Version", "13");
        changes.forEach((k, v) -> {
            if (v == null) {
                headers.remove(k);
            } else {
                headers.put(k, v);
            }
        });
        try (RawWsClient c = RawWsClient.open(server.port(), path, headers)) {
            return c.answer();
        }
    }

    private static Map<String, String> with(String header, String value) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(header, value);
        return m;
    }

    private static void assertEnvelope(WsTestClient.Raw.Answer a, int status, String code) {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("upgrade")).as("no upgrade").isNull();
        assertThat(a.header("content-type")).startsWith("application/json");
        JsonNode body = a.json();
        assertThat(body.path("success").asBoolean(true)).isFalse();
        assertThat(body.path("error").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    @Test
    void theRfcSampleKeyIsAcceptedWithTheRfcSampleAccept() {
        WsTestClient.Raw.Answer a = upgrade(Map.of());
        assertThat(a.status()).as(a.toString()).isEqualTo(101);
        // RFC 6455 §1.3: dGhlIHNhbXBsZSBub25jZQ== -> s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
        assertThat(a.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @ParameterizedTest(name = "Sec-WebSocket-Version: {0} -> 426 with Sec-WebSocket-Version: 13")
    @ValueSource(strings = {"8", "7", "0", "12", "14", "thirteen"})
    void anotherVersionIs426NamingVersion13(String version) {
        WsTestClient.Raw.Answer a = upgrade(with("Sec-WebSocket-Version", version));
        assertEnvelope(a, 426, "UPGRADE_REQUIRED");
        assertThat(a.header("sec-websocket-version")).isEqualTo("13");
    }

    @ParameterizedTest(name = "Sec-WebSocket-Key: {0} -> 400")
    @ValueSource(strings = {"not base64!", "c2hvcnQ=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "dGhlIHNhbXBsZSBub25jZQ"})
    void aMalformedKeyIs400(String key) {
        assertEnvelope(upgrade(with("Sec-WebSocket-Key", key)), 400, "WEBSOCKET_HANDSHAKE_FAILED");
    }

    @ParameterizedTest(name = "without {0} -> 400")
    @ValueSource(strings = {"Sec-WebSocket-Key", "Sec-WebSocket-Version", "Connection"})
    void aMissingHeaderIs400(String header) {
        WsTestClient.Raw.Answer a = upgrade(with(header, null));
        assertEnvelope(a, 400, "WEBSOCKET_HANDSHAKE_FAILED");
        assertThat(a.json().path("message").asText()).contains(header);
    }

    @Test
    void aConnectionHeaderWithoutTheUpgradeTokenIs400() {
        assertEnvelope(upgrade(with("Connection", "keep-alive")), 400, "WEBSOCKET_HANDSHAKE_FAILED");
        // a token list that includes upgrade is fine (Firefox sends "keep-alive, Upgrade")
        assertThat(upgrade(with("Connection", "keep-alive, Upgrade")).status()).isEqualTo(101);
    }
}
