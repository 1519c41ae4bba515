package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import com.speechbot.server.auth.JwtSecrets;
import com.speechbot.server.auth.TokenService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The upgrade: authentication and membership are settled with an HTTP answer before any WebSocket exists. */
class WsHandshakeTest {

    private final TestServer server = TestServer.shared();

    private String path(String chatId, String query) {
        return "/v1/chats/" + chatId + "/ws" + (query == null ? "" : "?" + query);
    }

    private static Map<String, String> bearer(String token) {
        Map<String, String> h = new HashMap<>();
        h.put("Authorization", "Bearer " + token);
        return h;
    }

    private static void assertEnvelope(WsTestClient.Raw.Answer a, int status, String code) {
        assertThat(a.status()).as(a.toString()).isEqualTo(status);
        assertThat(a.header("content-type")).startsWith("application/json");
        assertThat(a.header("upgrade")).isNull();
        JsonNode body = a.json();
        assertThat(body.path("success").asBoolean(true)).isFalse();
        assertThat(body.path("error").asText()).isEqualTo(code);
        assertThat(body.path("message").asText()).isNotBlank();
    }

    @Test
    void missingTokenIs401BeforeUpgrade() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        WsTestClient.Raw.Answer a = WsTestClient.Raw.upgrade(server.port(), path(chat, null), Map.of());
        assertEnvelope(a, 401, "AUTH_REQUIRED");
        assertThat(a.header("www-authenticate")).isEqualTo("Bearer");
    }

    @Test
    void invalidTokenIs401InQueryAndHeader() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        assertEnvelope(WsTestClient.Raw.upgrade(server.port(), path(chat, "token=not.a.jwt"), Map.of()), 401, "INVALID_TOKEN");
        assertEnvelope(WsTestClient.Raw.upgrade(server.port(), path(chat, null), bearer("garbage")), 401, "INVALID_TOKEN");
        // a token signed with another secret
        String forged = new TokenService(new byte[32], null, null).mint(alice, Duration.ofHours(1));
        assertEnvelope(WsTestClient.Raw.upgrade(server.port(), path(chat, "token=" + forged), Map.of()), 401, "INVALID_TOKEN");
        // and the JDK client sees the refusal as a failed handshake with that status
        assertThat(WsTestClient.refusedStatus(ws(server, chat) + "?token=not.a.jwt", null)).isEqualTo(401);
    }

    @Test
    void expiredTokenIs401TokenExpired() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        byte[] secret = JwtSecrets.loadOrCreate(server.dataDir(), "").bytes();
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        String expired = new TokenService(secret, null, null, past, Duration.ofSeconds(5)).mint(alice, Duration.ofMinutes(5));
        assertEnvelope(WsTestClient.Raw.upgrade(server.port(), path(chat, "token=" + expired), Map.of()), 401, "TOKEN_EXPIRED");
        assertEnvelope(WsTestClient.Raw.upgrade(server.port(), path(chat, null), bearer(expired)), 401, "TOKEN_EXPIRED");
    }

    @Test
    void nonMemberGets404ChatNotFoundBeforeUpgrade() {
        String alice = TestServer.newUser("alice");
        String mallory = TestServer.newUser("mallory");
        String chat = createChat(server, alice);
        WsTestClient.Raw.Answer a = WsTestClient.Raw.upgrade(server.port(),
                path(chat, "token=" + server.token(mallory)), Map.of());
        assertEnvelope(a, 404, "CHAT_NOT_FOUND");
        // indistinguishable from a chat that does not exist
        WsTestClient.Raw.Answer missing = WsTestClient.Raw.upgrade(server.port(),
                path("chat_999999999999999", "token=" + server.token(mallory)), Map.of());
        assertEnvelope(missing, 404, "CHAT_NOT_FOUND");
        assertThat(WsTestClient.refusedStatus(ws(server, chat), server.token(mallory))).isEqualTo(404);
    }

    @Test
    void malformedChatIdIs404() {
        String alice = TestServer.newUser("alice");
        for (String bad : new String[] {"abc", "chat_", "chat_x1", "chat_-5", "chat_0", "msg_1_2"}) {
            WsTestClient.Raw.Answer a = WsTestClient.Raw.upgrade(server.port(),
                    path(bad, "token=" + server.token(alice)), Map.of());
            assertEnvelope(a, 404, "CHAT_NOT_FOUND");
        }
    }

    @Test
    void resumePointOfAnotherChatIs400() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        WsTestClient.Raw.Answer a = WsTestClient.Raw.upgrade(server.port(),
                path(chat, "after=msg_1_5&token=" + server.token(alice)), Map.of());
        assertEnvelope(a, 400, "INVALID_PARAMETER");
    }

    @Test
    void plainGetWithoutUpgradeIs426() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        Map<String, String> noUpgrade = new HashMap<>();
        noUpgrade.put("Upgrade", null);
        noUpgrade.put("Connection", null);
        WsTestClient.Raw.Answer a = WsTestClient.Raw.upgrade(server.port(),
                path(chat, "token=" + server.token(alice)), noUpgrade);
        assertEnvelope(a, 426, "UPGRADE_REQUIRED");
    }

    @Test
    void queryTokenAndBearerHeaderAreBothAccepted() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);

        WsTestClient.Raw.Answer raw = WsTestClient.Raw.upgrade(server.port(),
                path(chat, "token=" + server.token(alice)), Map.of());
        assertThat(raw.status()).as(raw.toString()).isEqualTo(101);
        assertThat(raw.header("sec-websocket-accept")).isNotBlank();

        try (WsTestClient viaQuery = WsTestClient.connect(ws(server, chat), server.token(alice));
             WsTestClient viaHeader = WsTestClient.connectBearer(ws(server, chat), server.token(alice))) {
            for (WsTestClient c : new WsTestClient[] {viaQuery, viaHeader}) {
                c.send("connection_established", Map.of());
                JsonNode e = c.awaitEvent("connection_established");
                assertThat(e.path("data").path("user_id").asText()).isEqualTo(alice);
                assertThat(e.path("data").path("chat_id").asText()).isEqualTo(chat);
            }
        }
    }
}
