package com.speechbot.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.Ids;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Chats, members and message reads over real HTTP for the WebSocket tests. */
final class WsSupport {

    private WsSupport() {}

    /** A chat owned by {@code owner} without the bot (so no bot traffic appears), with {@code members} added. */
    static String createChat(TestServer server, String owner, String... members) {
        TestHttp http = server.http();
        TestHttp.Resp r = http.post("/v1/chats", server.token(owner),
                Map.of("title", "ws test " + owner, "bot_enabled", false));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String chatId = r.data().path("chat").path("id").asText();
        for (String m : members) {
            TestHttp.Resp added = http.post("/v1/chats/" + chatId + "/members", server.token(owner), Map.of("user_id", m));
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
        }
        return chatId;
    }

    /** The chat's messages as {@code user} sees them, oldest first (up to 200). */
    static List<JsonNode> messages(TestServer server, String chatId, String user) {
        return server.messages(chatId, user);
    }

    static JsonNode message(TestServer server, String chatId, String user, String messageId) {
        return server.message(chatId, user, messageId);
    }

    /** Sends over REST; returns the stored message. */
    static JsonNode restSend(TestServer server, String chatId, String user, String content) {
        TestHttp.Resp r = server.http().post("/v1/chats/" + chatId + "/messages", server.token(user),
                Map.of("content", content));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.data().path("message");
    }

    /** Stores a first message over REST (so the chat has a resume point); returns its id. */
    static String seed(TestServer server, String chatId, String user) {
        return restSend(server, chatId, user, "seed").path("id").asText();
    }

    /**
     * Connects resuming after {@code afterId} and waits for {@code resume_complete}: the replay starts only once the
     * subscriber receives live events, so from here on nothing broadcast can pass this connection by.
     */
    static WsTestClient live(TestServer server, String chatId, String user, String afterId) {
        WsTestClient c = WsTestClient.connect(ws(server, chatId) + "?after=" + afterId, server.token(user));
        c.awaitEvent("resume_complete");
        return c;
    }

    static long seq(String messageId) {
        Ids.MessageKey key = Ids.parseMessageId(messageId);
        assertThat(key).as("message id " + messageId).isNotNull();
        return key.seq();
    }

    static long seqOf(JsonNode newMessageEvent) {
        return seq(newMessageEvent.path("data").path("message").path("id").asText());
    }

    static Predicate<JsonNode> messageId(String id) {
        return d -> id.equals(d.path("message_id").asText()) || id.equals(d.path("message").path("id").asText());
    }

    static Predicate<JsonNode> status(String id, String status) {
        return d -> id.equals(d.path("message_id").asText()) && status.equals(d.path("status").asText());
    }

    static String ws(TestServer server, String chatId) {
        return WsTestClient.url(server.wsUrl(), chatId);
    }

    /** The value of a counter in the Prometheus scrape (0 when absent). */
    static double metric(TestServer server, String name) {
        TestHttp.Resp r = server.http().get("/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        double total = 0;
        for (String line : new String(r.raw(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    /**
     * A private server with {@code env} overrides. It uses the shared server's PostgreSQL (its own pool, same schema;
     * chats never collide) so it starts in a fraction of a second instead of initialising a cluster.
     */
    static TestServer privateServer(Map<String, String> env) {
        var shared = TestServer.shared().server().database().dataSource();
        Map<String, String> all = new java.util.HashMap<>();
        all.put("SPEECHBOT_DATABASE_URL", shared.getJdbcUrl());
        all.put("SPEECHBOT_DATABASE_USER", shared.getUsername());
        all.put("SPEECHBOT_DATABASE_PASSWORD", shared.getPassword() == null ? "" : shared.getPassword());
        all.putAll(env);
        try {
            Path dir = Files.createTempDirectory("speechbot-ws-test-");
            return TestServer.start(dir, all);
        } catch (Exception e) {
            throw new IllegalStateException("private test server failed to start", e);
        }
    }

    static void stop(TestServer server) {
        if (server != null) {
            server.closeAndDelete();
        }
    }
}
