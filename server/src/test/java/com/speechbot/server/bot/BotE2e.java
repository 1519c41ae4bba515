package com.speechbot.server.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.Ids;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import com.speechbot.server.ws.WsTestClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Chats, sends, reads and stream collection over real HTTP and WebSockets for the bot's end-to-end tests. */
final class BotE2e {

    static final Duration WAIT = Duration.ofSeconds(10);

    private BotE2e() {}

    static TestServer start(Map<String, String> env) {
        try {
            return TestServer.start(Files.createTempDirectory("speechbot-bot-test-"), env);
        } catch (Exception e) {
            throw new IllegalStateException("private test server failed to start", e);
        }
    }

    static void stop(TestServer server) {
        if (server != null) {
            server.closeAndDelete();
        }
    }

    /** A chat with the bot left at its default (on), {@code members} added. */
    static String createChat(TestServer server, String owner, String... members) {
        return createChat(server, owner, null, members);
    }

    /** A chat; {@code bot} null leaves bot_enabled out of the request (the default). */
    static String createChat(TestServer server, String owner, Boolean bot, String... members) {
        Map<String, Object> body = new HashMap<>();
        body.put("title", "bot test " + owner);
        if (bot != null) {
            body.put("bot_enabled", bot);
        }
        TestHttp.Resp r = server.http().post("/v1/chats", server.token(owner), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String chatId = r.data().path("chat").path("id").asText();
        for (String m : members) {
            TestHttp.Resp added = server.http().post("/v1/chats/" + chatId + "/members", server.token(owner),
                    Map.of("user_id", m));
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
        }
        return chatId;
    }

    static void setBot(TestServer server, String chatId, String owner, boolean enabled) {
        TestHttp.Resp r = server.http().patch("/v1/chats/" + chatId, server.token(owner), Map.of("bot_enabled", enabled));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    /**
     * A chat with the bot on whose first message ("seed", sent while the bot was off, so unanswered) is a resume
     * point: {@link #live} connections can then wait until they receive live events.
     */
    static Seeded seededBotChat(TestServer server, String owner, String... members) {
        String chat = createChat(server, owner, false, members);
        String seed = restSend(server, chat, owner, "seed", null).path("id").asText();
        setBot(server, chat, owner, true);
        return new Seeded(chat, seed);
    }

    record Seeded(String chat, String seed) {}

    static JsonNode restSend(TestServer server, String chatId, String user, String content, String clientMessageId) {
        Map<String, Object> body = new HashMap<>();
        body.put("content", content);
        if (clientMessageId != null) {
            body.put("client_message_id", clientMessageId);
        }
        TestHttp.Resp r = server.http().post("/v1/chats/" + chatId + "/messages", server.token(user), body);
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
        return r.data().path("message");
    }

    static List<JsonNode> messages(TestServer server, String chatId, String user) {
        return server.messages(chatId, user);
    }

    static JsonNode message(TestServer server, String chatId, String user, String messageId) {
        return server.message(chatId, user, messageId);
    }

    static List<JsonNode> botMessages(TestServer server, String chatId, String user) {
        return messages(server, chatId, user).stream().filter(m -> "bot".equals(m.path("role").asText())).toList();
    }

    /** Polls GET until the bot's answer to {@code userMessageId} is no longer {@code typing}. */
    static JsonNode awaitStoredAnswer(TestServer server, String chatId, String user, String userMessageId) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = messages(server, chatId, user).stream()
                    .filter(m -> "bot".equals(m.path("role").asText()) && userMessageId.equals(m.path("reply_to").asText()))
                    .findFirst().orElse(null);
            if (last != null && !"typing".equals(last.path("status").asText())) {
                return last;
            }
            sleep(50);
        }
        throw new AssertionError("no finished answer to " + userMessageId + " within " + WAIT + "; last seen " + last);
    }

    static String ws(TestServer server, String chatId) {
        return WsTestClient.url(server.wsUrl(), chatId);
    }

    /** Connects with extra query parameters ({@code ""} for none), without waiting for anything. */
    static WsTestClient connect(TestServer server, String chatId, String user, String query) {
        return WsTestClient.connect(ws(server, chatId) + (query.isEmpty() ? "" : "?" + query), server.token(user));
    }

    /** Connects resuming after {@code afterId} and waits for resume_complete (from then on it receives live events). */
    static WsTestClient live(TestServer server, String chatId, String user, String afterId) {
        WsTestClient c = connect(server, chatId, user, "after=" + afterId);
        c.awaitEvent("resume_complete", WAIT);
        return c;
    }

    static long seq(String messageId) {
        return Ids.parseMessageId(messageId).seq();
    }

    static String messageId(String chatId, long seq) {
        return Ids.messageId(Ids.parseChatId(chatId).getAsLong(), seq);
    }

    /** One bot answer as one connection received it: its chunk events' data, in order, and everything else seen. */
    static final class Stream {
        final List<JsonNode> chunks = new ArrayList<>();
        final List<JsonNode> others = new ArrayList<>();
        /** Every event read, chunks included, in arrival order. */
        final List<JsonNode> all = new ArrayList<>();

        String messageId() {
            return chunks.get(0).path("message_id").asText();
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            chunks.forEach(c -> sb.append(c.path("chunk").asText()));
            return sb.toString();
        }

        List<Integer> indexes() {
            return chunks.stream().map(c -> c.path("chunk_index").asInt()).toList();
        }

        JsonNode last() {
            return chunks.get(chunks.size() - 1);
        }

        boolean sawOther(String type, Predicate<JsonNode> data) {
            return others.stream().anyMatch(e -> type.equals(e.path("type").asText()) && data.test(e.path("data")));
        }

        /** Indexes go up by one from the first, the last (only the last) is complete, and all belong to one message. */
        void assertWellFormed() {
            List<Integer> idx = indexes();
            for (int i = 1; i < idx.size(); i++) {
                assertThat(idx.get(i)).as("chunk indexes " + idx).isEqualTo(idx.get(i - 1) + 1);
            }
            for (int i = 0; i < chunks.size() - 1; i++) {
                assertThat(chunks.get(i).path("is_complete").asBoolean()).as("chunk " + i + " complete").isFalse();
            }
            assertThat(last().path("is_complete").asBoolean()).isTrue();
            assertThat(chunks).allMatch(c -> c.path("message_id").asText().equals(messageId()));
        }
    }

    /** Reads until the closing chunk of a bot answer ({@code messageId} null: the next answer's). */
    static Stream readStream(WsTestClient c, String messageId) {
        return readStream(c, messageId, new Stream());
    }

    /** Continues {@code s} until its closing chunk. */
    static Stream readStream(WsTestClient c, String messageId, Stream s) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            assertThat(left).as("stream did not complete in time; so far " + s.chunks + " / " + s.others).isPositive();
            JsonNode e = c.nextEvent(Duration.ofNanos(left));
            s.all.add(e);
            JsonNode d = e.path("data");
            if ("bot_response_chunk".equals(e.path("type").asText())
                    && (messageId == null ? s.chunks.isEmpty() || d.path("message_id").asText().equals(s.messageId())
                    : messageId.equals(d.path("message_id").asText()))) {
                s.chunks.add(d);
                if (d.path("is_complete").asBoolean()) {
                    return s;
                }
            } else {
                s.others.add(e);
            }
        }
    }

    /** Reads chunks until one with index >= {@code index} arrived. */
    static Stream readUntilIndex(WsTestClient c, int index) {
        Stream s = new Stream();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (s.chunks.isEmpty() || s.last().path("chunk_index").asInt() < index) {
            long left = deadline - System.nanoTime();
            assertThat(left).as("no chunk " + index + " in time").isPositive();
            JsonNode e = c.nextEvent(Duration.ofNanos(left));
            s.all.add(e);
            if ("bot_response_chunk".equals(e.path("type").asText())) {
                assertThat(e.path("data").path("is_complete").asBoolean()).as("stream ended before chunk " + index).isFalse();
                s.chunks.add(e.path("data"));
            } else {
                s.others.add(e);
            }
        }
        return s;
    }

    /** Reads events until one of {@code type} matching {@code data}; returns all read, the match last. */
    static List<JsonNode> readUntil(WsTestClient c, String type, Predicate<JsonNode> data) {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            assertThat(left).as("no " + type + " in time; read " + out).isPositive();
            JsonNode e = c.nextEvent(Duration.ofNanos(left));
            out.add(e);
            if (type.equals(e.path("type").asText()) && data.test(e.path("data"))) {
                return out;
            }
        }
    }

    static boolean seen(List<JsonNode> events, String type, Predicate<JsonNode> data) {
        return events.stream().anyMatch(e -> type.equals(e.path("type").asText()) && data.test(e.path("data")));
    }

    static int indexOf(List<JsonNode> events, String type, Predicate<JsonNode> data) {
        for (int i = 0; i < events.size(); i++) {
            if (type.equals(events.get(i).path("type").asText()) && data.test(events.get(i).path("data"))) {
                return i;
            }
        }
        return -1;
    }

    static Predicate<JsonNode> botTyping(boolean typing) {
        return d -> "bot".equals(d.path("user_id").asText()) && d.path("is_typing").asBoolean() == typing;
    }

    static Predicate<JsonNode> about(String messageId) {
        return d -> messageId.equals(d.path("message_id").asText()) || messageId.equals(d.path("message").path("id").asText());
    }

    /** "/echo w1 w2 ... wN": a deterministic answer of exactly N tokens. */
    static String echo(int words) {
        StringBuilder sb = new StringBuilder("/echo");
        for (int i = 1; i <= words; i++) {
            sb.append(" w").append(i);
        }
        return sb.toString();
    }

    static String echoAnswer(int words) {
        return echo(words).substring("/echo ".length());
    }

    /** The sum of a meter's samples in the Prometheus scrape whose line starts with {@code prefix}. */
    static double metric(TestServer server, String prefix) {
        TestHttp.Resp r = server.http().get("/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        double total = 0;
        for (String line : new String(r.raw(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(prefix + " ") || line.startsWith(prefix + "{")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    static String scrape(TestServer server) {
        return new String(server.http().get("/metrics", null).raw(), StandardCharsets.UTF_8);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
