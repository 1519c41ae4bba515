package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.messages;
import static com.speechbot.server.ws.WsSupport.seed;
import static com.speechbot.server.ws.WsSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.server.TestServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** send_message between several members and devices, idempotent resends, and connection_established. */
class WsMessagingTest {

    private final TestServer server = TestServer.shared();

    @Test
    void sendIsStoredAndEveryConnectionGetsTheRestRepresentation() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {

            a1.send("send_message", Map.of("content", "Hello, this is a real-time message!", "content_type", "text",
                    "client_message_id", "temp_msg_12345",
                    "metadata", Map.of("client_timestamp", "2025-07-15T15:20:00Z")));

            JsonNode fromA1 = a1.awaitEvent("new_message").path("data").path("message");
            JsonNode fromA2 = a2.awaitEvent("new_message").path("data").path("message");
            JsonNode fromB = b.awaitEvent("new_message").path("data").path("message");
            assertThat(fromA2).isEqualTo(fromA1);
            assertThat(fromB).isEqualTo(fromA1);

            String id = fromA1.path("id").asText();
            assertThat(id).startsWith("msg_" + chat.substring("chat_".length()) + "_");
            assertThat(fromA1.path("chat_id").asText()).isEqualTo(chat);
            assertThat(fromA1.path("role").asText()).isEqualTo("user");
            assertThat(fromA1.path("content").asText()).isEqualTo("Hello, this is a real-time message!");
            assertThat(fromA1.path("client_message_id").asText()).isEqualTo("temp_msg_12345");
            assertThat(fromA1.path("metadata").path("client_timestamp").asText()).isEqualTo("2025-07-15T15:20:00Z");
            assertThat(Instant.parse(fromA1.path("timestamp").asText())).isNotNull();

            // persisted, and the pushed message is the REST representation (same fields, same values)
            List<JsonNode> stored = messages(server, chat, bob);
            assertThat(stored).hasSize(2);
            JsonNode rest = stored.get(1);
            assertThat(rest.path("id").asText()).isEqualTo(id);
            assertThat(fieldNames(fromA1)).isEqualTo(fieldNames(rest));
            assertThat(withoutStatus(fromA1)).isEqualTo(withoutStatus(rest));
            assertThat(rest.path("status").asText()).isIn("sent", "delivered");
        }
    }

    @Test
    void idempotentResendAnswersTheSenderOnlyWithTheSameMessage() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a1.sendMessage("once only", "cm-1");
            JsonNode first = a1.awaitEvent("new_message").path("data").path("message");
            a2.awaitEvent("new_message");
            b.awaitEvent("new_message");

            a1.sendMessage("once only", "cm-1");
            JsonNode again = a1.awaitEvent("new_message").path("data").path("message");
            assertThat(again.path("id").asText()).isEqualTo(first.path("id").asText());
            assertThat(again.path("client_message_id").asText()).isEqualTo("cm-1");
            assertThat(again.path("content").asText()).isEqualTo("once only");

            // a later message proves the others got nothing in between
            a1.sendMessage("next", "cm-2");
            JsonNode nextA1 = a1.awaitEvent("new_message").path("data").path("message");
            assertThat(a2.awaitEvent("new_message").path("data").path("message").path("id").asText())
                    .isEqualTo(nextA1.path("id").asText());
            assertThat(b.awaitEvent("new_message").path("data").path("message").path("id").asText())
                    .isEqualTo(nextA1.path("id").asText());

            List<JsonNode> stored = messages(server, chat, alice);
            assertThat(stored).extracting(m -> m.path("client_message_id").asText(""))
                    .containsExactly("", "cm-1", "cm-2");
        }
    }

    @Test
    void conflictingResendIsAnErrorNamingTheClientMessageId() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a.sendMessage("original", "cm-x");
            a.awaitEvent("new_message");
            b.awaitEvent("new_message");

            a.sendMessage("something else", "cm-x");
            JsonNode err = a.awaitEvent("error").path("data");
            assertThat(err.path("error_code").asText()).isEqualTo("CLIENT_MESSAGE_ID_CONFLICT");
            assertThat(err.path("client_message_id").asText()).isEqualTo("cm-x");
            assertThat(err.path("message").asText()).isNotBlank();

            // the same client id of ANOTHER author is independent
            b.sendMessage("bob's own", "cm-x");
            JsonNode bobs = b.awaitEvent("new_message").path("data").path("message");
            assertThat(bobs.path("content").asText()).isEqualTo("bob's own");
            a.assertNoEvent("error", 200);
            assertThat(a.awaitEvent("new_message").path("data").path("message").path("id").asText())
                    .isEqualTo(bobs.path("id").asText());

            assertThat(messages(server, chat, alice)).extracting(m -> m.path("content").asText())
                    .containsExactly("seed", "original", "bob's own");
        }
    }

    @Test
    void connectionEstablishedIsAnsweredWithChatUserTimeAndLatestMessage() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        try (WsTestClient a = WsTestClient.connect(ws(server, chat), server.token(alice))) {
            Instant before = Instant.now().minusSeconds(1);
            a.send("connection_established", Map.of());
            JsonNode d = a.awaitEvent("connection_established").path("data");
            assertThat(d.path("chat_id").asText()).isEqualTo(chat);
            assertThat(d.path("user_id").asText()).isEqualTo(alice);
            assertThat(Instant.parse(d.path("server_time").asText())).isAfter(before).isBefore(Instant.now().plusSeconds(1));
            assertThat(d.has("latest_message_id")).isTrue();
            assertThat(d.path("latest_message_id").isNull()).isTrue();

            a.sendMessage("first", null);
            String id = a.awaitEvent("new_message").path("data").path("message").path("id").asText();
            a.send("connection_established", null); // data may be left out
            assertThat(a.awaitEvent("connection_established").path("data").path("latest_message_id").asText()).isEqualTo(id);
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        try (WsTestClient a = WsTestClient.connect(ws(server, chat), server.token(alice))) {
            a.send("ping", Map.of());
            assertThat(a.awaitEvent("pong").path("data").path("server_time").asText()).isNotBlank();
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        names.sort(null);
        return names;
    }

    private static JsonNode withoutStatus(JsonNode m) {
        ObjectNode copy = m.deepCopy();
        copy.remove("status");
        return copy;
    }
}
