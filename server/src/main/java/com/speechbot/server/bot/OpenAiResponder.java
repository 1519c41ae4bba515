package com.speechbot.server.bot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.codec.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Any OpenAI-compatible Chat Completions endpoint with {@code stream: true}: server-sent events read asynchronously
 * by {@link HttpClient}, so no thread waits on the model. Usage comes from the stream when the backend reports it.
 * A backend that stalls longer than the stall timeout, or runs past the total timeout, fails the answer.
 */
public final class OpenAiResponder implements Responder {

    static final String SYSTEM_PROMPT = "You are SpeechBot, a helpful assistant in a chat app. Answer in markdown.";

    private final HttpClient client;
    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Duration totalTimeout;
    private final Duration stallTimeout;

    public OpenAiResponder(String baseUrl, String apiKey, String model, Duration totalTimeout, Duration stallTimeout) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.endpoint = URI.create(base + "/chat/completions");
        this.apiKey = apiKey;
        this.model = model;
        this.totalTimeout = totalTimeout;
        this.stallTimeout = stallTimeout;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public Generation generate(BotRequest request, TokenSink sink, ScheduledExecutorService scheduler) {
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint)
                .timeout(stallTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body(request))));
        if (apiKey != null && !apiKey.isBlank()) {
            http.header("Authorization", "Bearer " + apiKey);
        }
        Call call = new Call(sink, estimatePromptTokens(request));
        call.watchdog = scheduler.scheduleAtFixedRate(call::checkTimeouts, 250, 250, TimeUnit.MILLISECONDS);
        call.exchange = client.sendAsync(http.build(), info -> {
            if (info.statusCode() != 200) {
                return HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                        text -> {
                            call.fail("backend_status", new IOException("backend answered HTTP " + info.statusCode() + ": "
                                    + (text.length() > 200 ? text.substring(0, 200) : text)));
                            return null;
                        });
            }
            return HttpResponse.BodySubscribers.fromLineSubscriber(call);
        });
        call.exchange.whenComplete((res, failure) -> {
            if (failure != null) {
                call.fail("backend_unreachable", failure);
            }
        });
        return call::cancel;
    }

    /** The documented estimate for the prompt when the backend reports no usage: the system prompt and every turn. */
    private static int estimatePromptTokens(BotRequest request) {
        int tokens = Usage.estimateTokens(SYSTEM_PROMPT);
        for (BotRequest.Turn t : request.conversation()) {
            tokens += Usage.estimateTokens(t.content());
        }
        return tokens;
    }

    private ObjectNode body(BotRequest request) {
        ObjectNode body = Json.object();
        body.put("model", model);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.put("temperature", request.temperature());
        body.put("max_tokens", request.maxTokens());
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
        for (BotRequest.Turn t : request.conversation()) {
            messages.addObject().put("role", t.role()).put("content", t.content());
        }
        return body;
    }

    /** One streamed call: parses SSE lines, enforces the timeouts, and ends the sink exactly once. */
    private final class Call implements Flow.Subscriber<String> {
        private final TokenSink sink;
        private final int estimatedPromptTokens;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile CompletableFuture<?> exchange;
        private final long startNanos = System.nanoTime();
        private volatile long lastActivityNanos = System.nanoTime();
        private volatile Flow.Subscription subscription;
        private volatile ScheduledFuture<?> watchdog;
        private final StringBuilder produced = new StringBuilder();
        private int promptTokens = -1;
        private int completionTokens = -1;
        private String reportedModel;
        private boolean finishReasonSeen;

        Call(TokenSink sink, int estimatedPromptTokens) {
            this.sink = sink;
            this.estimatedPromptTokens = estimatedPromptTokens;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (done.get()) {
                s.cancel(); // cancelled (or failed) before the response arrived
                return;
            }
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lastActivityNanos = System.nanoTime();
            if (done.get() || !line.startsWith("data:")) {
                return; // comments, event names and blank separators carry nothing we need
            }
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) {
                finish();
                return;
            }
            JsonNode event;
            try {
                event = Json.readTree(data);
            } catch (IOException e) {
                fail("backend_protocol", e);
                return;
            }
            if (event.hasNonNull("error")) {
                fail("backend_error", new IOException(event.path("error").path("message").asText("backend error")));
                return;
            }
            if (event.hasNonNull("model")) {
                reportedModel = event.get("model").asText();
            }
            JsonNode usage = event.path("usage");
            if (usage.isObject()) {
                promptTokens = usage.path("prompt_tokens").asInt(-1);
                completionTokens = usage.path("completion_tokens").asInt(-1);
            }
            JsonNode choice = event.path("choices").path(0);
            if (choice.hasNonNull("finish_reason")) {
                finishReasonSeen = true;
            }
            JsonNode content = choice.path("delta").path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                produced.append(content.asText());
                sink.token(content.asText());
            }
        }

        @Override
        public void onError(Throwable t) {
            fail("backend_disconnect", t);
        }

        @Override
        public void onComplete() {
            // Without [DONE] or a finish_reason the body ended mid-answer: a truncated answer is not a complete one.
            if (finishReasonSeen) {
                finish();
            } else {
                fail("backend_disconnect", new IOException(produced.length() > 0
                        ? "stream ended before the answer was finished" : "stream ended without an answer"));
            }
        }

        private void finish() {
            if (done.compareAndSet(false, true)) {
                stopWatchdog();
                boolean estimated = promptTokens < 0 || completionTokens < 0;
                Usage u = new Usage(promptTokens < 0 ? estimatedPromptTokens : promptTokens,
                        completionTokens < 0 ? Usage.estimateTokens(produced.toString()) : completionTokens, estimated);
                sink.complete(u, reportedModel != null ? reportedModel : model);
            }
        }

        void fail(String cause, Throwable error) {
            if (done.compareAndSet(false, true)) {
                stopWatchdog();
                cancelSubscription();
                sink.fail(cause, error);
            }
        }

        void cancel() {
            if (done.compareAndSet(false, true)) {
                stopWatchdog();
                cancelSubscription();
            }
        }

        void checkTimeouts() {
            if (done.get()) {
                stopWatchdog();
                return;
            }
            long now = System.nanoTime();
            if (now - lastActivityNanos > stallTimeout.toNanos()) {
                fail("timeout", new IOException("backend sent nothing for " + stallTimeout.toSeconds() + " s"));
            } else if (now - startNanos > totalTimeout.toNanos()) {
                fail("timeout", new IOException("answer took longer than " + totalTimeout.toSeconds() + " s"));
            }
        }

        private void stopWatchdog() {
            ScheduledFuture<?> w = watchdog;
            if (w != null) {
                w.cancel(false);
            }
        }

        private void cancelSubscription() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            CompletableFuture<?> x = exchange;
            if (x != null) {
                x.cancel(true); // aborts the exchange, also while the response headers are still awaited
            }
        }
    }
}
