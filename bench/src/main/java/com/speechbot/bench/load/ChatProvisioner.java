package com.speechbot.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Creates the run's chats. Our server: {@code POST /v1/chats} by member 0, then {@code POST /v1/chats/{id}/members}
 * for the others, at most {@value #PARALLEL} requests in flight. ws-node: any id works, so {@code chat_<n>}.
 */
final class ChatProvisioner {

    private static final int PARALLEL = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Options options;
    private final TokenMinter tokens;
    private final String runId;

    ChatProvisioner(Options options, TokenMinter tokens, String runId) {
        this.options = options;
        this.tokens = tokens;
        this.runId = runId;
    }

    /** User ids are unique per run, so runs against one database never share chats or receipts. */
    String userId(int chat, int member) {
        return "lt" + runId + "-c" + chat + "-m" + member;
    }

    List<ChatPlan> provision(int chats, int members, boolean botEnabled) throws InterruptedException {
        List<List<String>> users = new ArrayList<>(chats);
        for (int c = 0; c < chats; c++) {
            List<String> u = new ArrayList<>(members);
            for (int m = 0; m < members; m++) {
                u.add(userId(c, m));
            }
            users.add(List.copyOf(u));
        }
        List<ChatPlan> plans = new ArrayList<>(chats);
        if (!options.target.provisionsOverRest()) {
            for (int c = 0; c < chats; c++) {
                plans.add(new ChatPlan(c, "chat_" + c, users.get(c)));
            }
            return plans;
        }
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "load-rest");
            t.setDaemon(true);
            return t;
        });
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).executor(pool).build();
        try {
            Semaphore inFlight = new Semaphore(PARALLEL);
            AtomicReference<String> failure = new AtomicReference<>();
            String[] ids = new String[chats];
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (int c = 0; c < chats && failure.get() == null; c++) {
                int chat = c;
                ObjectNode body = JSON.createObjectNode().put("title", "load " + runId + " #" + c).put("bot_enabled", botEnabled);
                all.add(post(http, inFlight, failure, "/v1/chats", users.get(c).get(0), body, 201)
                        .thenAccept(res -> {
                            if (res != null) {
                                ids[chat] = res.path("data").path("chat").path("id").asText(null);
                            }
                        }));
            }
            awaitAll(all, failure);
            all.clear();
            for (int c = 0; c < chats && failure.get() == null; c++) {
                if (ids[c] == null) {
                    throw new IllegalStateException("POST /v1/chats answered without data.chat.id");
                }
                for (int m = 1; m < members && failure.get() == null; m++) {
                    ObjectNode body = JSON.createObjectNode().put("user_id", users.get(c).get(m));
                    all.add(post(http, inFlight, failure, "/v1/chats/" + ids[c] + "/members", users.get(c).get(0), body, 201));
                }
            }
            awaitAll(all, failure);
            for (int c = 0; c < chats; c++) {
                plans.add(new ChatPlan(c, ids[c], users.get(c)));
            }
            return plans;
        } finally {
            pool.shutdownNow();
        }
    }

    private CompletableFuture<JsonNode> post(HttpClient http, Semaphore inFlight, AtomicReference<String> failure,
                                             String path, String asUser, JsonNode body, int expectedStatus)
            throws InterruptedException {
        inFlight.acquire();
        HttpRequest req = HttpRequest.newBuilder(URI.create(stripSlash(options.httpBase.toString()) + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokens.mint(asUser))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).handle((res, err) -> {
            inFlight.release();
            if (err != null) {
                failure.compareAndSet(null, "POST " + path + " failed: " + err);
                return null;
            }
            if (res.statusCode() != expectedStatus) {
                String text = res.body() == null ? "" : res.body();
                failure.compareAndSet(null, "POST " + path + " answered " + res.statusCode() + ": "
                        + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
                return null;
            }
            try {
                return JSON.readTree(res.body());
            } catch (Exception e) {
                failure.compareAndSet(null, "POST " + path + " answered invalid JSON");
                return null;
            }
        });
    }

    private static void awaitAll(List<CompletableFuture<?>> all, AtomicReference<String> failure) throws InterruptedException {
        try {
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            failure.compareAndSet(null, "chat setup did not finish: " + e);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("chat setup over REST failed: " + failure.get());
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
