package com.speechbot.server.bot;

import static com.speechbot.server.bot.BotE2e.WAIT;
import static com.speechbot.server.bot.BotE2e.about;
import static com.speechbot.server.bot.BotE2e.botTyping;
import static com.speechbot.server.bot.BotE2e.indexOf;
import static com.speechbot.server.bot.BotE2e.live;
import static com.speechbot.server.bot.BotE2e.message;
import static com.speechbot.server.bot.BotE2e.readStream;
import static com.speechbot.server.bot.BotE2e.readUntil;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The openai backend end to end against a local fake SSE endpoint: a streamed answer with usage and the bounded
 * conversation as context, and the failures (HTTP error, error event mid-stream, dropped connection, stall) that must
 * each end with BOT_RESPONSE_FAILED, a closing chunk and a stored "failed" answer holding what was produced.
 */
class BotOpenAiTest {

    private static FakeOpenAi fake;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        fake = new FakeOpenAi();
        server = BotE2e.start(Map.of(
                "SPEECHBOT_BOT_BACKEND", "openai",
                "SPEECHBOT_BOT_OPENAI_BASE_URL", fake.baseUrl(),
                "SPEECHBOT_BOT_OPENAI_API_KEY", "sk-e2e",
                "SPEECHBOT_BOT_OPENAI_MODEL", "gpt-e2e",
                "SPEECHBOT_BOT_TIMEOUT_SECONDS", "1",
                "SPEECHBOT_BOT_CONTEXT_CHARS", "200"));
    }

    @AfterAll
    static void stop() {
        BotE2e.stop(server);
        if (fake != null) {
            fake.close();
        }
    }

    @Test
    void answerStreamsWithUsageFromTheStreamAndTheBoundedConversationAsContext() {
        fake.script(FakeOpenAi.tokens(List.of("Hello", " there", "!"), true, 0));
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        int before = fake.requests.size();
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            String longQuestion = "x".repeat(180);
            a.sendMessage(longQuestion, null);
            Stream s1 = readStream(a, null);
            s1.assertWellFormed();
            assertThat(s1.text()).isEqualTo("Hello there!");
            readUntil(a, "typing_indicator", botTyping(false));

            a.sendMessage("final question", null);
            Stream s2 = readStream(a, null);
            assertThat(s2.text()).isEqualTo("Hello there!");
            List<JsonNode> after = readUntil(a, "typing_indicator", botTyping(false));
            JsonNode updated = after.get(indexOf(after, "message_updated", about(s2.messageId()))).path("data")
                    .path("message");
            assertThat(updated.path("status").asText()).isEqualTo("delivered");

            JsonNode stored = message(server, c.chat(), alice, s2.messageId());
            assertThat(stored.path("status").asText()).isEqualTo("delivered");
            assertThat(stored.path("content").asText()).isEqualTo("Hello there!");
            JsonNode meta = stored.path("metadata");
            assertThat(meta.path("model_used").asText()).isEqualTo(FakeOpenAi.MODEL);
            assertThat(meta.path("tokens_used").path("prompt").asInt()).isEqualTo(11);
            assertThat(meta.path("tokens_used").path("completion").asInt()).isEqualTo(3);
            assertThat(meta.path("tokens_used").path("total").asInt()).isEqualTo(14);
            assertThat(meta.has("tokens_estimated")).isFalse();
            assertThat(meta.path("generation_time_ms").asLong()).isNotNegative();
            assertThat(meta.path("temperature").asDouble()).isEqualTo(0.7);
            assertThat(meta.path("max_tokens").asInt()).isEqualTo(2048);
        }

        assertThat(fake.requests).hasSize(before + 2);
        JsonNode first = fake.requests.get(before);
        assertThat(first.path("model").asText()).isEqualTo("gpt-e2e");
        assertThat(first.path("stream").asBoolean()).isTrue();
        assertThat(roles(first)).containsExactly("system:", "user:seed", "user:" + "x".repeat(180));
        // 14 + 12 + 180 chars exceed context_chars (200): the oldest turns are left out
        assertThat(roles(fake.requests.get(before + 1))).containsExactly("system:", "assistant:Hello there!",
                "user:final question");
        assertThat(fake.authorizations.get(before)).isEqualTo("Bearer sk-e2e");
    }

    private static List<String> roles(JsonNode request) {
        List<String> out = new ArrayList<>();
        request.path("messages").forEach(m -> out.add(m.path("role").asText() + ":"
                + ("system".equals(m.path("role").asText()) ? "" : m.path("content").asText())));
        return out;
    }

    /** Sends a question and checks the failure path; returns the stored answer. */
    private static JsonNode failedAnswer(String produced, String cause) {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage("please answer", null);
            Stream s = readStream(a, null);
            s.assertWellFormed();
            assertThat(s.text()).isEqualTo(produced);
            assertThat(s.last().path("chunk").asText()).isEmpty();
            List<JsonNode> all = new ArrayList<>(s.all);
            all.addAll(readUntil(a, "typing_indicator", botTyping(false)));
            assertThat(seen(all, "error", d -> "BOT_RESPONSE_FAILED".equals(d.path("error_code").asText())))
                    .as("BOT_RESPONSE_FAILED in " + all).isTrue();
            int updated = indexOf(all, "message_updated", about(s.messageId()));
            assertThat(updated).as("message_updated in " + all).isPositive();
            assertThat(all.get(updated).path("data").path("message").path("status").asText()).isEqualTo("failed");

            JsonNode stored = message(server, c.chat(), alice, s.messageId());
            assertThat(stored.path("status").asText()).isEqualTo("failed");
            assertThat(stored.path("content").asText()).isEqualTo(produced);
            assertThat(stored.path("metadata").path("error").asText()).isEqualTo(cause);
            assertThat(stored.path("metadata").path("finish_reason").asText()).isEqualTo("error");
            assertThat(stored.path("metadata").path("model_used").asText()).isNotEmpty();
            assertThat(BotE2e.scrape(server)).contains("speechbot_bot_failures_total{cause=\"" + cause + "\"");

            // the chat goes on: the next question is answered normally
            fake.script(FakeOpenAi.tokens(List.of("fine", " now"), true, 0));
            a.sendMessage("again?", null);
            assertThat(readStream(a, null).text()).isEqualTo("fine now");
            return stored;
        }
    }

    @Test
    void httpErrorFailsTheAnswer() {
        fake.script(sse -> sse.status(500, "{\"error\":{\"message\":\"internal\"}}"));
        failedAnswer("", "backend_status");
    }

    @Test
    void errorEventMidStreamFailsTheAnswerKeepingWhatWasProduced() {
        fake.script(sse -> {
            sse.start();
            sse.token("partial ");
            sse.token("answer");
            sse.data("{\"error\":{\"message\":\"model overloaded\"}}");
        });
        failedAnswer("partial answer", "backend_error");
    }

    @Test
    void droppedConnectionMidStreamFailsTheAnswer() {
        fake.script(sse -> {
            sse.start();
            sse.token("half ");
            sse.token("said");
            Thread.sleep(50);
            sse.abort();
        });
        failedAnswer("half said", "backend_disconnect");
    }

    @Test
    void cancelGenerationStopsTheModelCall() throws Exception {
        fake.script(sse -> {
            sse.start();
            for (int i = 0; i < 40; i++) { // 800 ms: within the 1 s total timeout
                sse.token("t" + i + " ");
                Thread.sleep(20);
            }
            sse.finishReason("stop");
            sse.done();
        });
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage("talk a lot", null);
            Stream s = BotE2e.readUntilIndex(a, 3);
            a.send("cancel_generation", null);
            readStream(a, s.messageId(), s);
            s.assertWellFormed();
            assertThat(s.chunks.size()).isLessThan(40);
            assertThat(fake.clientGone.await(5, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the model call is dropped").isTrue();
            List<JsonNode> after = readUntil(a, "typing_indicator", botTyping(false));
            assertThat(seen(after, "error", d -> true)).isFalse();
            JsonNode stored = message(server, c.chat(), alice, s.messageId());
            assertThat(stored.path("content").asText()).isEqualTo(s.text());
            assertThat(stored.path("metadata").path("finish_reason").asText()).isEqualTo("cancelled");
            assertThat(stored.path("status").asText()).isEqualTo("delivered");
        }
    }

    @Test
    void stallingBackendTimesOut() {
        fake.script(sse -> {
            sse.start();
            sse.token("one ");
            sse.token("two");
            sse.stall();
        });
        long start = System.nanoTime();
        failedAnswer("one two", "timeout");
        assertThat(System.nanoTime() - start).as("stall timeout is min(30, timeout_seconds) = 1 s")
                .isLessThan(WAIT.toNanos());
    }
}
