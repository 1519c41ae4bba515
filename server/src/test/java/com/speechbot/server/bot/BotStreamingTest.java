package com.speechbot.server.bot;

import static com.speechbot.server.bot.BotE2e.WAIT;
import static com.speechbot.server.bot.BotE2e.about;
import static com.speechbot.server.bot.BotE2e.awaitStoredAnswer;
import static com.speechbot.server.bot.BotE2e.botMessages;
import static com.speechbot.server.bot.BotE2e.botTyping;
import static com.speechbot.server.bot.BotE2e.indexOf;
import static com.speechbot.server.bot.BotE2e.live;
import static com.speechbot.server.bot.BotE2e.message;
import static com.speechbot.server.bot.BotE2e.messages;
import static com.speechbot.server.bot.BotE2e.readStream;
import static com.speechbot.server.bot.BotE2e.readUntil;
import static com.speechbot.server.bot.BotE2e.seededBotChat;
import static com.speechbot.server.bot.BotE2e.seen;
import static com.speechbot.server.bot.BotE2e.seq;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import com.speechbot.server.bot.BotE2e.Seeded;
import com.speechbot.server.bot.BotE2e.Stream;
import com.speechbot.server.ws.WsTestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The builtin bot end to end on real sockets: the answer streamed to every socket, stored with its metadata, the
 * typing indicator and read receipt, idempotent retries, queued questions, bot_enabled and the meters.
 */
class BotStreamingTest {

    private static TestServer server;

    @BeforeAll
    static void start() {
        server = BotE2e.start(Map.of("SPEECHBOT_BOT_PACE_MS", "10"));
    }

    @AfterAll
    static void stop() {
        BotE2e.stop(server);
    }

    @Test
    void everySocketGetsEveryChunkInOrderAndTheStoredAnswerMatches() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        Seeded c = seededBotChat(server, alice, bob);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed());
             WsTestClient b = live(server, c.chat(), bob, c.seed())) {
            String prompt = "What is the capital of France?";
            a.sendMessage(prompt, "cm-capital");

            Stream sa = readStream(a, null);
            Stream sb = readStream(b, null);
            JsonNode userMsg = sa.others.stream().filter(e -> "new_message".equals(e.path("type").asText())).findFirst()
                    .orElseThrow().path("data").path("message");
            String userId = userMsg.path("id").asText();
            String botId = sa.messageId();
            assertThat(sb.messageId()).isEqualTo(botId);
            assertThat(seq(botId)).as("the answer's place is right after the question").isEqualTo(seq(userId) + 1);

            String expected = BuiltinResponder.answer(prompt, 1); // the seed is the one earlier message
            for (Stream s : List.of(sa, sb)) {
                s.assertWellFormed();
                assertThat(s.indexes().get(0)).isZero();
                assertThat(s.text()).isEqualTo(expected);
                assertThat(s.last().path("chunk").asText()).isEmpty();
                int typingOn = indexOf(s.all, "typing_indicator", botTyping(true));
                assertThat(typingOn).as("typing before the first chunk").isNotNegative()
                        .isLessThan(indexOf(s.all, "bot_response_chunk", d -> true));
                assertThat(s.all.get(typingOn).path("data").path("typing_text").asText())
                        .isEqualTo("SpeechBot is thinking...");
            }
            assertThat(sb.chunks).isEqualTo(sa.chunks);

            // after the stream: message_updated with the final message, then the typing indicator ends
            List<JsonNode> restA = new ArrayList<>(sa.all);
            restA.addAll(readUntil(a, "typing_indicator", botTyping(false)));
            List<JsonNode> restB = new ArrayList<>(sb.all);
            restB.addAll(readUntil(b, "typing_indicator", botTyping(false)));
            for (List<JsonNode> events : List.of(restA, restB)) {
                int updated = indexOf(events, "message_updated", about(botId));
                assertThat(updated).as("message_updated for the answer").isPositive();
                JsonNode final0 = events.get(updated).path("data").path("message");
                assertThat(final0.path("status").asText()).isEqualTo("delivered");
                assertThat(final0.path("content").asText()).isEqualTo(expected);
                assertThat(updated).isGreaterThan(indexOf(events, "bot_response_chunk", d -> d.path("is_complete").asBoolean()));
                assertThat(seen(events, "new_message", about(botId))).as("no new_message for a streamed answer").isFalse();
            }
            // the author learns the bot read the question
            if (!seen(restA, "message_status", d -> userId.equals(d.path("message_id").asText())
                    && "read".equals(d.path("status").asText()))) {
                a.awaitEvent("message_status", d -> userId.equals(d.path("message_id").asText())
                        && "read".equals(d.path("status").asText()), WAIT);
            }
            a.assertNoEvent("new_message", 200);

            // GET: the question is read; the answer is stored complete with its metadata
            JsonNode q = message(server, c.chat(), bob, userId);
            assertThat(q.path("status").asText()).isEqualTo("read");
            JsonNode stored = message(server, c.chat(), bob, botId);
            assertThat(stored.path("role").asText()).isEqualTo("bot");
            assertThat(stored.path("status").asText()).isEqualTo("delivered");
            assertThat(stored.path("content").asText()).isEqualTo(expected);
            assertThat(stored.path("full_content").asText()).isEqualTo(expected);
            assertThat(stored.path("reply_to").asText()).isEqualTo(userId);
            JsonNode meta = stored.path("metadata");
            assertThat(meta.path("generation_time_ms").isIntegralNumber()).as(meta.toString()).isTrue();
            assertThat(meta.path("generation_time_ms").asLong()).isPositive();
            assertThat(meta.path("model_used").asText()).isEqualTo("speechbot-builtin-1");
            assertThat(meta.path("temperature").asDouble()).isEqualTo(0.7);
            assertThat(meta.path("max_tokens").asInt()).isEqualTo(2048);
            JsonNode tokens = meta.path("tokens_used");
            assertThat(tokens.path("completion").asInt()).isEqualTo(sa.chunks.size() - 1);
            assertThat(tokens.path("prompt").asInt())
                    .isEqualTo(Usage.estimateTokens("seed") + Usage.estimateTokens(prompt));
            assertThat(tokens.path("total").asInt())
                    .isEqualTo(tokens.path("prompt").asInt() + tokens.path("completion").asInt());
        }
    }

    @Test
    void restMessageInADefaultChatIsAnsweredAndMetered() {
        String carol = TestServer.newUser("carol");
        String chat = BotE2e.createChat(server, carol);
        JsonNode q = BotE2e.restSend(server, chat, carol, "Hello bot, how are you today?", "rest-1");
        String userId = q.path("id").asText();
        JsonNode answer = awaitStoredAnswer(server, chat, carol, userId);
        assertThat(answer.path("status").asText()).isEqualTo("delivered");
        assertThat(answer.path("content").asText()).isEqualTo(BuiltinResponder.answer("Hello bot, how are you today?", 0));
        assertThat(message(server, chat, carol, userId).path("status").asText()).isEqualTo("read");
        assertThat(botMessages(server, chat, carol)).hasSize(1);

        assertThat(BotE2e.metric(server, "speechbot_bot_time_to_first_chunk_seconds_count")).isPositive();
        assertThat(BotE2e.metric(server, "speechbot_bot_generation_seconds_count")).isPositive();
        assertThat(BotE2e.metric(server, "speechbot_bot_chunks_total")).isPositive();
    }

    @Test
    void aRetriedSendNeverTriggersASecondAnswer() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage("/upper once", "dup-1");
            a.sendMessage("/upper once", "dup-1"); // retried at once, while the first may still be in flight
            Stream s = readStream(a, null);
            assertThat(s.text()).isEqualTo("ONCE");
            readUntil(a, "typing_indicator", botTyping(false));

            a.sendMessage("/upper once", "dup-1"); // retried after the answer
            JsonNode again = a.awaitEvent("new_message", WAIT).path("data").path("message");
            JsonNode viaRest = BotE2e.restSend(server, c.chat(), alice, "/upper once", "dup-1");
            assertThat(viaRest.path("id").asText()).isEqualTo(again.path("id").asText());
            a.assertNoEvent("bot_response_chunk", 400);
            a.assertNoEvent("typing_indicator", 0);
        }
        List<JsonNode> all = messages(server, c.chat(), alice);
        assertThat(all.stream().filter(m -> "dup-1".equals(m.path("client_message_id").asText()))).hasSize(1);
        assertThat(botMessages(server, c.chat(), alice)).hasSize(1);
    }

    @Test
    void aQuestionAskedWhileTheBotAnswersIsAnsweredAfterwards() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(BotE2e.echo(40), "q-1");
            String user1 = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            Stream first = BotE2e.readUntilIndex(a, 2);
            String bot1 = first.messageId();

            a.sendMessage("/upper second", "q-2");
            readStream(a, bot1, first);
            assertThat(first.text()).isEqualTo(BotE2e.echoAnswer(40));
            assertThat(seen(first.all, "bot_response_chunk", d -> !bot1.equals(d.path("message_id").asText())))
                    .as("the second answer does not interleave with the first").isFalse();
            JsonNode user2Event = first.others.stream().filter(e -> "new_message".equals(e.path("type").asText()))
                    .findFirst().orElseGet(() -> a.awaitEvent("new_message", WAIT));
            String user2 = user2Event.path("data").path("message").path("id").asText();

            Stream second = readStream(a, null);
            second.assertWellFormed();
            assertThat(second.text()).isEqualTo("SECOND");
            String bot2 = second.messageId();
            assertThat(seq(user1)).isLessThan(seq(bot1));
            assertThat(seq(bot1)).isLessThan(seq(user2));
            assertThat(seq(user2)).isLessThan(seq(bot2));
        }
        awaitStoredAnswer(server, c.chat(), alice, messages(server, c.chat(), alice).get(3).path("id").asText());
        List<JsonNode> all = messages(server, c.chat(), alice);
        assertThat(all).extracting(m -> m.path("role").asText()).containsExactly("user", "user", "bot", "user", "bot");
        assertThat(all.get(2).path("reply_to").asText()).isEqualTo(all.get(1).path("id").asText());
        assertThat(all.get(4).path("reply_to").asText()).isEqualTo(all.get(3).path("id").asText());
        assertThat(all.get(4).path("status").asText()).isEqualTo("delivered");
    }

    @Test
    void cancelGenerationStopsTheAnswerAndKeepsWhatWasProduced() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(BotE2e.echo(300), null);
            Stream s = BotE2e.readUntilIndex(a, 5);
            a.sendMessage("/upper next", null); // queued behind the answer being cancelled
            a.send("cancel_generation", null);
            readStream(a, s.messageId(), s);
            s.assertWellFormed();
            String botId = s.messageId();
            String full = BotE2e.echoAnswer(300);
            assertThat(full).startsWith(s.text());
            assertThat(s.text().length()).isLessThan(full.length());

            List<JsonNode> after = readUntil(a, "message_updated", about(botId));
            List<JsonNode> all = new ArrayList<>(s.all);
            all.addAll(after);
            int updated = indexOf(all, "message_updated", about(botId));
            assertThat(updated).isPositive();
            JsonNode m = all.get(updated).path("data").path("message");
            assertThat(m.path("content").asText()).isEqualTo(s.text());
            assertThat(m.path("metadata").path("finish_reason").asText()).isEqualTo("cancelled");
            assertThat(seen(all, "error", d -> true)).as("a cancel is not a failure: " + all).isFalse();

            JsonNode stored = message(server, c.chat(), alice, botId);
            assertThat(stored.path("content").asText()).isEqualTo(s.text());
            assertThat(stored.path("status").asText()).isNotEqualTo("typing").isNotEqualTo("failed");
            assertThat(stored.path("metadata").path("finish_reason").asText()).isEqualTo("cancelled");
            assertThat(stored.path("metadata").path("model_used").asText()).isEqualTo("speechbot-builtin-1");

            // the cancel stopped only that answer: the queued question is answered next
            Stream next = readStream(a, null);
            assertThat(next.messageId()).isNotEqualTo(botId);
            assertThat(next.text()).isEqualTo("NEXT");
            readUntil(a, "typing_indicator", botTyping(false));

            // nothing left to cancel
            a.send("cancel_generation", null);
            a.awaitEvent("error", WAIT);
            a.assertNoEvent("bot_response_chunk", 200);
        }
    }

    @Test
    void anEmptyAnswerStillOpensAndClosesItsStream() {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage("/echo", null);
            Stream s = readStream(a, null);
            s.assertWellFormed();
            assertThat(s.indexes()).containsExactly(0);
            assertThat(s.text()).isEmpty();
            List<JsonNode> after = readUntil(a, "typing_indicator", botTyping(false));
            JsonNode m = after.get(indexOf(after, "message_updated", about(s.messageId()))).path("data").path("message");
            assertThat(m.path("status").asText()).isEqualTo("delivered");
            assertThat(m.path("content").asText()).isEmpty();
        }
    }

    @Test
    void chatsAreAnsweredConcurrentlyEachInItsOwnStream() {
        int n = 4;
        List<WsTestClient> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                String user = TestServer.newUser("u" + i);
                Seeded c = seededBotChat(server, user);
                sockets.add(live(server, c.chat(), user, c.seed()));
            }
            for (int i = 0; i < n; i++) {
                sockets.get(i).sendMessage(BotE2e.echo(30 + i), null);
            }
            for (int i = 0; i < n; i++) {
                Stream s = readStream(sockets.get(i), null);
                s.assertWellFormed();
                assertThat(s.text()).isEqualTo(BotE2e.echoAnswer(30 + i));
            }
        } finally {
            sockets.forEach(WsTestClient::close);
        }
    }

    @Test
    void noAnswerWhenTheBotIsTurnedOffAndAnswersAgainWhenTurnedOn() {
        String alice = TestServer.newUser("alice");
        String chat = BotE2e.createChat(server, alice);
        BotE2e.setBot(server, chat, alice, false);
        String seed = BotE2e.restSend(server, chat, alice, "seed", null).path("id").asText();
        try (WsTestClient a = live(server, chat, alice, seed)) {
            a.sendMessage("Is anybody there?", null);
            String userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            a.assertNoEvent("typing_indicator", 500);
            a.assertNoEvent("bot_response_chunk", 0);
            assertThat(botMessages(server, chat, alice)).isEmpty();
            assertThat(message(server, chat, alice, userId).path("status").asText()).isNotEqualTo("read");

            BotE2e.setBot(server, chat, alice, true);
            a.sendMessage("/upper now", null);
            assertThat(readStream(a, null).text()).isEqualTo("NOW");
        }
        assertThat(botMessages(server, chat, alice)).hasSize(1);
    }
}
