package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.messageId;
import static com.speechbot.server.ws.WsSupport.restSend;
import static com.speechbot.server.ws.WsSupport.seed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Changes made over REST reach the chat's sockets: new_message, message_updated, message_deleted, reaction_updated. */
class WsRestEventsTest {

    private final TestServer server = TestServer.shared();

    private static String path(String chat, String messageId) {
        return "/v1/chats/" + chat + "/messages/" + messageId;
    }

    private static ObjectNode withoutStatus(JsonNode m) {
        ObjectNode copy = m.deepCopy();
        copy.remove("status");
        return copy;
    }

    @Test
    void restSentMessageReachesEverySocketAsNewMessage() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            JsonNode sent = restSend(server, chat, bob, "posted over REST");
            String id = sent.path("id").asText();
            for (WsTestClient c : new WsTestClient[] {a, b}) {
                JsonNode pushed = c.awaitEvent("new_message", messageId(id), WsTestClient.TIMEOUT).path("data").path("message");
                assertThat(withoutStatus(pushed)).isEqualTo(withoutStatus(sent));
            }
            // alice is connected, so bob's REST message is delivered to her, and bob's socket hears of it
            b.awaitEvent("message_status", WsSupport.status(id, "delivered"), WsTestClient.TIMEOUT);
        }
    }

    @Test
    void restEditIsPushedAsMessageUpdated() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a.sendMessage("Hello! Can you help me?", "c1");
            String id = a.awaitEvent("new_message").path("data").path("message").path("id").asText();

            TestHttp.Resp r = server.http().put(path(chat, id), server.token(alice),
                    Map.of("content", "Hello! Can you help me with code?", "metadata", Map.of("edit_reason", "Fixed typo")));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode edited = r.data().path("message");
            for (WsTestClient c : new WsTestClient[] {a, b}) {
                JsonNode pushed = c.awaitEvent("message_updated", messageId(id), WsTestClient.TIMEOUT).path("data").path("message");
                assertThat(pushed).isEqualTo(edited);
                assertThat(pushed.path("content").asText()).isEqualTo("Hello! Can you help me with code?");
                assertThat(pushed.path("edited_at").isNull()).isFalse();
                assertThat(pushed.path("edit_history").get(0).path("content").asText()).isEqualTo("Hello! Can you help me?");
            }
        }
    }

    @Test
    void restDeleteIsPushedAsMessageDeletedToEveryoneOrOnlyTheActor() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a1.sendMessage("to hide", null);
            String hidden = a1.awaitEvent("new_message").path("data").path("message").path("id").asText();
            a1.sendMessage("to delete", null);
            String deleted = a1.awaitEvent("new_message", d -> d.path("message").path("content").asText().equals("to delete"),
                    WsTestClient.TIMEOUT).path("data").path("message").path("id").asText();

            // delete for me: only alice's own connections
            TestHttp.Resp me = server.http().delete(path(chat, hidden) + "?delete_for=me", server.token(alice));
            assertThat(me.status()).as(me.toString()).isEqualTo(200);
            for (WsTestClient a : new WsTestClient[] {a1, a2}) {
                JsonNode d = a.awaitEvent("message_deleted", messageId(hidden), WsTestClient.TIMEOUT).path("data");
                assertThat(d.path("deleted_for").asText()).isEqualTo("me");
            }

            // delete for everyone: every connection
            TestHttp.Resp all = server.http().delete(path(chat, deleted) + "?delete_for=everyone", server.token(alice));
            assertThat(all.status()).as(all.toString()).isEqualTo(200);
            for (WsTestClient c : new WsTestClient[] {a1, a2, b}) {
                JsonNode d = c.awaitEvent("message_deleted", messageId(deleted), WsTestClient.TIMEOUT).path("data");
                assertThat(d.path("deletion_type").asText()).isEqualTo("soft");
                assertThat(d.path("deleted_for").asText()).isEqualTo("everyone");
                assertThat(d.path("deleted_at").asText()).isEqualTo(all.data().path("deleted_at").asText());
            }
            // bob's connection never heard of alice's private delete (it would have come before the public one)
            b.assertNoEvent("message_deleted", 0);
        }
    }

    @Test
    void restReactionIsPushedAsReactionUpdated() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            a.sendMessage("react to me", null);
            String id = a.awaitEvent("new_message").path("data").path("message").path("id").asText();

            TestHttp.Resp r = server.http().post(path(chat, id) + "/reactions", server.token(bob),
                    Map.of("emoji", "👍", "action", "add"));
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            for (WsTestClient c : new WsTestClient[] {a, b}) {
                JsonNode d = c.awaitEvent("reaction_updated", messageId(id), WsTestClient.TIMEOUT).path("data");
                assertThat(d).isEqualTo(r.data());
                assertThat(d.path("action").asText()).isEqualTo("add");
                assertThat(d.path("reaction").path("emoji").asText()).isEqualTo("👍");
                assertThat(d.path("reaction").path("user_id").asText()).isEqualTo(bob);
                assertThat(d.path("total_reactions").get(0).path("count").asInt()).isEqualTo(1);
            }

            TestHttp.Resp removed = server.http().post(path(chat, id) + "/reactions", server.token(bob),
                    Map.of("emoji", "👍", "action", "remove"));
            assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
            JsonNode d = a.awaitEvent("reaction_updated", messageId(id), WsTestClient.TIMEOUT).path("data");
            assertThat(d.path("action").asText()).isEqualTo("remove");
            assertThat(d.path("total_reactions").size()).isZero();
        }
    }
}
