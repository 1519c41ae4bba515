package com.speechbot.server.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible backend against a local fake SSE endpoint: success, usage, and every way it can fail. */
class OpenAiResponderTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private FakeOpenAi fake;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeOpenAi();
    }

    @AfterEach
    void stop() {
        fake.close();
        scheduler.shutdownNow();
    }

    private OpenAiResponder responder(Duration total, Duration stall) {
        return new OpenAiResponder(fake.baseUrl() + "/", "sk-test", "gpt-test", total, stall);
    }

    private OpenAiResponder responder() {
        return responder(Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    private static BotRequest request() {
        return new BotRequest("chat_1", "msg_1_3", List.of(new BotRequest.Turn("user", "Hi"),
                new BotRequest.Turn("assistant", "Hello!"), new BotRequest.Turn("user", "What is 2+2?")), "gpt-test", 0.5, 100);
    }

    private static void await(RecordingSink sink) throws Exception {
        sink.done.get(10, TimeUnit.SECONDS);
    }

    private static void awaitTokens(RecordingSink sink, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.count() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(sink.count()).isGreaterThanOrEqualTo(n);
    }

    @Test
    void streamsTokensWithUsageFromTheStream() throws Exception {
        fake.script(FakeOpenAi.tokens(List.of("Two", " plus two", " is **4**."), true, 0));
        RecordingSink sink = new RecordingSink();
        OpenAiResponder r = responder();
        r.generate(request(), sink, scheduler);
        await(sink);

        assertThat(sink.failure).as(String.valueOf(sink.error)).isNull();
        assertThat(sink.tokens()).containsExactly("Two", " plus two", " is **4**.");
        assertThat(sink.usage).isEqualTo(new Usage(11, 3, false));
        assertThat(sink.model).isEqualTo(FakeOpenAi.MODEL); // as reported by the stream
        assertThat(r.model()).isEqualTo("gpt-test");
        assertThat(sink.violations).hasValue(0);

        // the request: streaming chat completion with the conversation after the system prompt
        assertThat(fake.requests).hasSize(1);
        JsonNode body = fake.requests.get(0);
        assertThat(body.path("model").asText()).isEqualTo("gpt-test");
        assertThat(body.path("stream").asBoolean()).isTrue();
        assertThat(body.path("stream_options").path("include_usage").asBoolean()).isTrue();
        assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
        assertThat(body.path("max_tokens").asInt()).isEqualTo(100);
        JsonNode messages = body.path("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(messages.get(1).path("content").asText()).isEqualTo("Hi");
        assertThat(messages.get(2).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.get(3).path("role").asText()).isEqualTo("user");
        assertThat(messages.get(3).path("content").asText()).isEqualTo("What is 2+2?");
        assertThat(fake.authorizations).containsExactly("Bearer sk-test");
    }

    @Test
    void usageIsEstimatedWhenTheStreamHasNone() throws Exception {
        fake.script(FakeOpenAi.tokens(List.of("abcd", "efgh", "ij"), false, 0));
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isNull();
        assertThat(sink.usage.estimated()).isTrue();
        assertThat(sink.usage.completion()).isEqualTo(Usage.estimateTokens("abcdefghij"));
        assertThat(sink.usage.prompt()).as("the prompt is estimated too").isPositive();
        assertThat(sink.usage.total()).isEqualTo(sink.usage.prompt() + sink.usage.completion());
    }

    @Test
    void noApiKeyMeansNoAuthorizationHeader() throws Exception {
        RecordingSink sink = new RecordingSink();
        new OpenAiResponder(fake.baseUrl(), "", "m", Duration.ofSeconds(10), Duration.ofSeconds(5))
                .generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isNull();
        assertThat(fake.authorizations).containsExactly("");
    }

    @Test
    void httpErrorFailsWithoutTokens() throws Exception {
        fake.script(sse -> sse.status(500, "{\"error\":{\"message\":\"boom\"}}"));
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_status");
        assertThat(sink.error).hasMessageContaining("500");
        assertThat(sink.tokens()).isEmpty();
    }

    @Test
    void errorEventMidStreamFails() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("partial ");
            sse.token("answer");
            sse.data("{\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}");
            sse.done();
        });
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_error");
        assertThat(sink.error).hasMessageContaining("model overloaded");
        assertThat(sink.text()).isEqualTo("partial answer");
        Thread.sleep(100);
        assertThat(sink.violations).hasValue(0);
    }

    @Test
    void malformedEventFails() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("a");
            sse.data("{not json");
            sse.done();
        });
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_protocol");
    }

    @Test
    void connectionDroppedMidStreamFails() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("half ");
            sse.token("an answer");
            sse.abort();
        });
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_disconnect");
        assertThat(sink.text()).isEqualTo("half an answer");
    }

    @Test
    void streamEndingWithoutDoneOrFinishReasonIsNotAComplete() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("cut ");
            sse.token("off");
            // the body ends cleanly, but the answer never finished
        });
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_disconnect");
        assertThat(sink.text()).isEqualTo("cut off");
    }

    @Test
    void finishReasonWithoutDoneCompletes() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("all ");
            sse.token("there");
            sse.finishReason("stop");
        });
        RecordingSink sink = new RecordingSink();
        responder().generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isNull();
        assertThat(sink.text()).isEqualTo("all there");
    }

    @Test
    void stallingBackendTimesOut() throws Exception {
        fake.script(sse -> {
            sse.start();
            sse.token("one ");
            sse.token("two");
            sse.stall();
        });
        RecordingSink sink = new RecordingSink();
        long start = System.nanoTime();
        responder(Duration.ofSeconds(20), Duration.ofMillis(600)).generate(request(), sink, scheduler);
        await(sink);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(sink.failure).isEqualTo("timeout");
        assertThat(sink.text()).isEqualTo("one two");
        assertThat(tookMs).isBetween(500L, 5000L);
    }

    @Test
    void steadyStreamLongerThanTheStallTimeoutIsFine() throws Exception {
        fake.script(FakeOpenAi.tokens(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"), true, 100));
        RecordingSink sink = new RecordingSink();
        responder(Duration.ofSeconds(20), Duration.ofMillis(500)).generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).as(String.valueOf(sink.error)).isNull();
        assertThat(sink.text()).isEqualTo("abcdefghijkl");
    }

    @Test
    void totalTimeoutEndsALongAnswer() throws Exception {
        fake.script(sse -> {
            sse.start();
            for (int i = 0; i < 100; i++) {
                sse.token("t" + i + " ");
                Thread.sleep(100);
            }
            sse.done();
        });
        RecordingSink sink = new RecordingSink();
        responder(Duration.ofSeconds(1), Duration.ofSeconds(1)).generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("timeout");
        assertThat(sink.count()).isBetween(3, 30);
    }

    @Test
    void unreachableBackendFails() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RecordingSink sink = new RecordingSink();
        new OpenAiResponder("http://127.0.0.1:" + port + "/v1", null, "m", Duration.ofSeconds(5), Duration.ofSeconds(5))
                .generate(request(), sink, scheduler);
        await(sink);
        assertThat(sink.failure).isEqualTo("backend_unreachable");
    }

    @Test
    void cancelStopsTokensAndDropsTheConnection() throws Exception {
        fake.script(sse -> {
            sse.start();
            for (int i = 0; i < 500; i++) {
                sse.token("t" + i + " ");
                Thread.sleep(20);
            }
            sse.done();
        });
        RecordingSink sink = new RecordingSink();
        Generation g = responder().generate(request(), sink, scheduler);
        awaitTokens(sink, 2);
        g.cancel();
        int atCancel = sink.count();
        assertThat(fake.clientGone.await(5, TimeUnit.SECONDS)).as("the backend sees the client go").isTrue();
        Thread.sleep(100);
        assertThat(sink.count()).isLessThanOrEqualTo(atCancel + 1); // one may have been in flight
        assertThat(sink.done).as("no complete or fail after a cancel").isNotDone();
    }

    @Test
    void cancelBeforeTheResponseArrivesStillDropsTheConnection() throws Exception {
        fake.script(sse -> {
            Thread.sleep(300); // headers come late
            sse.start();
            for (int i = 0; i < 500; i++) {
                sse.token("t" + i + " ");
                Thread.sleep(20);
            }
            sse.done();
        });
        RecordingSink sink = new RecordingSink();
        Generation g = responder().generate(request(), sink, scheduler);
        Thread.sleep(100);
        g.cancel();
        assertThat(fake.clientGone.await(5, TimeUnit.SECONDS)).as("the backend sees the client go").isTrue();
        assertThat(sink.tokens()).isEmpty();
        assertThat(sink.done).isNotDone();
    }
}
