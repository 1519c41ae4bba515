package com.speechbot.server.bot;

import static com.speechbot.server.bot.BotE2e.WAIT;
import static com.speechbot.server.bot.BotE2e.about;
import static com.speechbot.server.bot.BotE2e.awaitStoredAnswer;
import static com.speechbot.server.bot.BotE2e.botMessages;
import static com.speechbot.server.bot.BotE2e.connect;
import static com.speechbot.server.bot.BotE2e.echo;
import static com.speechbot.server.bot.BotE2e.echoAnswer;
import static com.speechbot.server.bot.BotE2e.live;
import static com.speechbot.server.bot.BotE2e.message;
import static com.speechbot.server.bot.BotE2e.readStream;
import static com.speechbot.server.bot.BotE2e.readUntilIndex;
import static com.speechbot.server.bot.BotE2e.seededBotChat;
import static com.speechbot.server.bot.BotE2e.seen;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import com.speechbot.server.bot.BotE2e.Seeded;
import com.speechbot.server.bot.BotE2e.Stream;
import com.speechbot.server.ws.WsTestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Durable streams: sockets that join mid-answer, reconnect with ?after= and ?last_chunk_index=, or all go away; readers
 * never see a half answer as complete.
 */
class BotDurableStreamTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = BotE2e.start(Map.of("SPEECHBOT_BOT_PACE_MS", "10"));
    }

    @AfterAll
    static void stop() {
        BotE2e.stop(server);
    }

    private static String chunkText(Stream s, int uptoIndexInclusive) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode c : s.chunks) {
            if (c.path("chunk_index").asInt() <= uptoIndexInclusive) {
                sb.append(c.path("chunk").asText());
            }
        }
        return sb.toString();
    }

    @Test
    void aSocketJoiningMidStreamGetsOneCatchUpChunkThenTheRest() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        Seeded c = seededBotChat(server, alice, bob);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(echo(150), null);
            String userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            Stream first = readUntilIndex(a, 20);
            String botId = first.messageId();

            // a reader mid-stream sees the answer as still being written, never as complete
            JsonNode mid = message(server, c.chat(), bob, botId);
            assertThat(mid.path("status").asText()).isEqualTo("typing");
            assertThat(echoAnswer(150)).startsWith(mid.path("content").asText());

            try (WsTestClient late = connect(server, c.chat(), bob, "");
                 WsTestClient resumed = connect(server, c.chat(), bob, "after=" + userId)) {
                readStream(a, botId, first);
                first.assertWellFormed();
                assertThat(first.text()).isEqualTo(echoAnswer(150));

                for (WsTestClient joiner : new WsTestClient[] {late, resumed}) {
                    Stream s = readStream(joiner, botId);
                    s.assertWellFormed();
                    JsonNode catchUp = s.chunks.get(0);
                    int k = catchUp.path("chunk_index").asInt();
                    assertThat(k).as("joined mid-stream").isGreaterThanOrEqualTo(20);
                    assertThat(catchUp.path("chunk").asText()).as("the catch-up chunk holds all text so far")
                            .isEqualTo(chunkText(first, k));
                    assertThat(s.text()).isEqualTo(echoAnswer(150));
                    assertThat(seen(s.all, "new_message", about(botId))).isFalse();
                }
            }
        }
        assertThat(awaitStoredAnswer(server, c.chat(), alice, botMessages(server, c.chat(), alice).get(0)
                .path("reply_to").asText()).path("content").asText()).isEqualTo(echoAnswer(150));
    }

    @Test
    void manySocketsJoiningAtRandomMomentsEachGetTheWholeAnswerExactlyOnce() throws Exception {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(echo(120), null);
            String userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            Stream first = readUntilIndex(a, 0);
            String botId = first.messageId();
            List<Future<Stream>> joined = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                long delayMs = 40L * i + ThreadLocalRandom.current().nextInt(40);
                String query = switch (i % 3) {
                    case 0 -> "";
                    case 1 -> "after=" + userId;
                    default -> "after=" + c.seed(); // replays the question first
                };
                joined.add(pool.submit(() -> {
                    BotE2e.sleep(delayMs);
                    try (WsTestClient j = connect(server, c.chat(), alice, query)) {
                        return readStream(j, botId);
                    }
                }));
            }
            readStream(a, botId, first);
            for (Future<Stream> f : joined) {
                Stream s = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                s.assertWellFormed();
                assertThat(s.text()).as("catch-up at chunk " + s.indexes().get(0)).isEqualTo(echoAnswer(120));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reconnectingWithLastChunkIndexGetsExactlyWhatWasMissed() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        String userId;
        String botId;
        String had;
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(echo(150), null);
            userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            Stream s = readUntilIndex(a, 15);
            botId = s.messageId();
            assertThat(s.last().path("chunk_index").asInt()).isEqualTo(15);
            had = s.text();
        }
        BotE2e.sleep(150); // the answer goes on without us
        try (WsTestClient r = connect(server, c.chat(), alice, "after=" + userId + "&last_chunk_index=15")) {
            Stream rest = readStream(r, botId);
            rest.assertWellFormed();
            assertThat(rest.indexes().get(0)).isGreaterThan(15);
            assertThat(had + rest.text()).as("had " + had.length() + " chars, then got indexes " + rest.indexes()
                    + " with " + rest.chunks).isEqualTo(echoAnswer(150));
            if (!seen(rest.all, "resume_complete", d -> true)) {
                r.awaitEvent("resume_complete", WAIT);
            }
            assertThat(seen(rest.all, "new_message", about(botId))).isFalse();
        }
        // (the closing chunk goes out before the final write: a GET right after it may still see "typing")
        JsonNode stored = awaitStoredAnswer(server, c.chat(), alice, userId);
        assertThat(stored.path("id").asText()).isEqualTo(botId);
        assertThat(stored.path("content").asText()).isEqualTo(echoAnswer(150));
    }

    @Test
    void invalidLastChunkIndexIsRefusedBeforeTheUpgrade() {
        String alice = TestServer.newUser("alice");
        String chat = BotE2e.createChat(server, alice, false);
        String url = BotE2e.ws(server, chat);
        assertThat(WsTestClient.refusedStatus(url + "?last_chunk_index=abc", server.token(alice))).isEqualTo(400);
        assertThat(WsTestClient.refusedStatus(url + "?last_chunk_index=-2", server.token(alice))).isEqualTo(400);
        assertThat(WsTestClient.refusedStatus(url + "?last_chunk_index=-1", server.token(alice))).isEqualTo(101);
    }

    @Test
    void reconnectingAfterTheAnswerFinishedGetsTheFinishedMessage() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        String userId;
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(echo(20), null);
            userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            readUntilIndex(a, 1);
        }
        JsonNode stored = awaitStoredAnswer(server, c.chat(), alice, userId);
        try (WsTestClient r = connect(server, c.chat(), alice, "after=" + userId + "&last_chunk_index=1")) {
            JsonNode replayed = r.awaitEvent("new_message", WAIT).path("data").path("message");
            assertThat(replayed.path("id").asText()).isEqualTo(stored.path("id").asText());
            assertThat(replayed.path("content").asText()).isEqualTo(echoAnswer(20));
            assertThat(replayed.path("status").asText()).isEqualTo("delivered");
            r.awaitEvent("resume_complete", WAIT);
            r.assertNoEvent("bot_response_chunk", 200);
        }
    }

    @Test
    void theAnswerRunsToTheEndWhenEverySocketIsGone() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        Seeded c = seededBotChat(server, alice, bob);
        String userId;
        try (WsTestClient a = live(server, c.chat(), alice, c.seed());
             WsTestClient b = live(server, c.chat(), bob, c.seed())) {
            a.sendMessage(echo(100), null);
            userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            readUntilIndex(a, 3);
            readUntilIndex(b, 3);
        }
        JsonNode during = botMessages(server, c.chat(), alice).get(0);
        assertThat(during.path("status").asText()).isEqualTo("typing");

        JsonNode stored = awaitStoredAnswer(server, c.chat(), alice, userId);
        assertThat(stored.path("status").asText()).isEqualTo("delivered");
        assertThat(stored.path("content").asText()).isEqualTo(echoAnswer(100));
        assertThat(stored.path("full_content").asText()).isEqualTo(echoAnswer(100));
        assertThat(stored.path("metadata").path("tokens_used").path("completion").asInt()).isEqualTo(100);

        // the chat works as before afterwards
        try (WsTestClient a = live(server, c.chat(), alice, stored.path("id").asText())) {
            a.sendMessage("/upper again", null);
            assertThat(readStream(a, null).text()).isEqualTo("AGAIN");
        }
    }

    @Test
    void aFinalWriteThatFailsIsRetriedSoTheAnswerDoesNotStayTyping() throws Exception {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        long chat = Long.parseLong(c.chat().substring("chat_".length()));
        // The first two final writes of this chat's bot answers fail, as in a database outage (a sequence is not
        // rolled back with the failing statement, so it counts attempts).
        try (java.sql.Connection db = server.server().database().dataSource().getConnection();
             java.sql.Statement st = db.createStatement()) {
            st.execute("CREATE SEQUENCE fail_final_" + chat);
            st.execute("CREATE FUNCTION fail_final_" + chat + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF nextval('fail_final_" + chat + "') <= 2 THEN RAISE EXCEPTION 'injected outage'; END IF;"
                    + " RETURN NEW; END $$");
            st.execute("CREATE TRIGGER fail_final_" + chat + " BEFORE UPDATE ON messages FOR EACH ROW WHEN"
                    + " (NEW.chat_id = " + chat + " AND NEW.role = 'bot' AND OLD.status = 'typing'"
                    + " AND NEW.status <> 'typing') EXECUTE FUNCTION fail_final_" + chat + "()");
        }
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(echo(5), null);
            String userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            JsonNode updated = a.awaitEvent("message_updated", WAIT).path("data").path("message");
            assertThat(updated.path("status").asText()).isEqualTo("delivered");
            assertThat(updated.path("content").asText()).isEqualTo(echoAnswer(5));
            JsonNode stored = awaitStoredAnswer(server, c.chat(), alice, userId);
            assertThat(stored.path("status").asText()).isEqualTo("delivered");
        } finally {
            try (java.sql.Connection db = server.server().database().dataSource().getConnection();
                 java.sql.Statement st = db.createStatement()) {
                st.execute("DROP TRIGGER fail_final_" + chat + " ON messages");
                st.execute("DROP FUNCTION fail_final_" + chat + "()");
                st.execute("DROP SEQUENCE fail_final_" + chat);
            }
        }
    }
}
