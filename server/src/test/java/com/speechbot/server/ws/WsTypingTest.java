package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.seed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** typing → typing_indicator to every other connection, never back to the typing one; it ends by itself. */
class WsTypingTest {

    private static final long SHORT_TTL_MS = 300;
    private static TestServer shortTtl;

    private final TestServer server = TestServer.shared();

    private static synchronized TestServer shortTtlServer() {
        if (shortTtl == null) {
            shortTtl = WsSupport.privateServer(Map.of("SPEECHBOT_WEBSOCKET_TYPING_TTL_MS", String.valueOf(SHORT_TTL_MS)));
        }
        return shortTtl;
    }

    @AfterAll
    static void stopPrivateServer() {
        WsSupport.stop(shortTtl);
    }

    private static Predicate<JsonNode> typing(String user, boolean isTyping) {
        return d -> user.equals(d.path("user_id").asText()) && d.path("is_typing").asBoolean(!isTyping) == isTyping;
    }

    @Test
    void typingReachesOtherMembersAndOtherDevicesButNotTheSender() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a1.send("typing", Map.of("is_typing", true));
            JsonNode toBob = b.awaitEvent("typing_indicator").path("data");
            assertThat(toBob.path("user_id").asText()).isEqualTo(alice);
            assertThat(toBob.path("is_typing").asBoolean()).isTrue();
            assertThat(toBob.path("typing_text").asText()).isNotBlank();
            JsonNode toOtherDevice = a2.awaitEvent("typing_indicator").path("data");
            assertThat(toOtherDevice).isEqualTo(toBob);

            a1.send("typing", Map.of("is_typing", false));
            assertThat(b.awaitEvent("typing_indicator").path("data").path("is_typing").asBoolean(true)).isFalse();
            assertThat(a2.awaitEvent("typing_indicator").path("data").path("is_typing").asBoolean(true)).isFalse();
            // the others got both; the typing connection itself gets neither
            a1.assertNoEvent("typing_indicator", 300);

            // bob typing reaches both of alice's devices; his own connection hears nothing
            b.send("typing", Map.of("is_typing", true));
            a1.awaitEvent("typing_indicator", typing(bob, true), WsTestClient.TIMEOUT);
            a2.awaitEvent("typing_indicator", typing(bob, true), WsTestClient.TIMEOUT);
            b.assertNoEvent("typing_indicator", 300);
        }
    }

    @Test
    void typingEndsWhenTheTyperDisconnects() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        long ttl = server.server().config().websocket().typingTtlMs();
        try (WsTestClient b = live(server, chat, bob, seed)) {
            WsTestClient a = live(server, chat, alice, seed);
            a.send("typing", Map.of("is_typing", true));
            b.awaitEvent("typing_indicator", typing(alice, true), WsTestClient.TIMEOUT);
            long closedAt = System.nanoTime();
            a.close();
            b.awaitEvent("typing_indicator", typing(alice, false), Duration.ofMillis(ttl - 1000));
            assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).isLessThan(Duration.ofMillis(ttl));
        }
    }

    @Test
    void typingExpiresAfterTheTtlAndRefreshingExtendsIt() {
        TestServer s = shortTtlServer();
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(s, alice, bob);
        String seed = seed(s, chat, alice);
        try (WsTestClient a = live(s, chat, alice, seed);
             WsTestClient b = live(s, chat, bob, seed)) {
            a.send("typing", Map.of("is_typing", true));
            b.awaitEvent("typing_indicator", typing(alice, true), WsTestClient.TIMEOUT);
            long start = System.nanoTime();
            b.awaitEvent("typing_indicator", typing(alice, false), Duration.ofSeconds(3));
            long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(elapsedMs).isGreaterThanOrEqualTo(SHORT_TTL_MS - 100).isLessThan(2000);

            // refreshed before the TTL runs out: it stays on until the last refresh plus the TTL
            a.send("typing", Map.of("is_typing", true));
            b.awaitEvent("typing_indicator", typing(alice, true), WsTestClient.TIMEOUT);
            for (int i = 0; i < 3; i++) {
                WsTestClient.sleep(SHORT_TTL_MS / 2);
                a.send("typing", Map.of("is_typing", true));
                JsonNode next = b.nextEvent(); // no "false" in between
                assertThat(next.path("type").asText()).isEqualTo("typing_indicator");
                assertThat(next.path("data").path("is_typing").asBoolean()).as(next.toString()).isTrue();
            }
            long lastRefresh = System.nanoTime();
            b.awaitEvent("typing_indicator", typing(alice, false), Duration.ofSeconds(3));
            assertThat(Duration.ofNanos(System.nanoTime() - lastRefresh).toMillis()).isGreaterThanOrEqualTo(SHORT_TTL_MS - 100);
            b.assertNoEvent("typing_indicator", SHORT_TTL_MS);
        }
    }
}
