package com.speechbot.server;

import com.speechbot.server.config.ConfigLoader;
import com.speechbot.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real server on an ephemeral port with an embedded PostgreSQL in a temp data folder. {@link #shared()} is one
 * instance for the whole test JVM (tests isolate themselves by creating their own chats and user ids);
 * {@link #start} gives a private one (restart tests, special config).
 */
public final class TestServer implements AutoCloseable {

    private static TestServer shared;
    private static final AtomicLong USERS = new AtomicLong();

    private final Path dataDir;
    private final Map<String, String> env;
    private SpeechBotServer server;

    private TestServer(Path dataDir, Map<String, String> env) throws Exception {
        this.dataDir = dataDir;
        this.env = env;
        this.server = SpeechBotServer.start(config());
    }

    /** The JVM-wide server; stopped by a shutdown hook. */
    public static synchronized TestServer shared() {
        if (shared == null) {
            try {
                shared = start(Files.createTempDirectory("speechbot-test-"), Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("test server failed to start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A private server on {@code dataDir}; {@code overrides} are SPEECHBOT_* environment variables. */
    public static TestServer start(Path dataDir, Map<String, String> overrides) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("SPEECHBOT_HOST", "127.0.0.1");
        env.put("SPEECHBOT_PORT", "0");
        env.put("SPEECHBOT_DATA_DIR", dataDir.toString());
        env.put("SPEECHBOT_BOT_PACE_MS", "0");
        env.put("SPEECHBOT_SERVER_SHUTDOWN_GRACE_SECONDS", "2");
        env.putAll(overrides);
        return new TestServer(dataDir, env);
    }

    private ServerConfig config() {
        return ConfigLoader.load(env);
    }

    /** Stops and starts again on the same data folder (and the same port is not guaranteed). */
    public void restart() throws Exception {
        server.close();
        server = SpeechBotServer.start(config());
    }

    public SpeechBotServer server() {
        return server;
    }

    public Path dataDir() {
        return dataDir;
    }

    public int port() {
        return server.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + server.port();
    }

    public String token(String userId) {
        return server.tokens().mint(userId, Duration.ofHours(1));
    }

    public TestHttp http() {
        return new TestHttp(baseUrl());
    }

    /** The chat's messages as {@code user} sees them over REST, oldest first (up to 200). */
    public java.util.List<com.fasterxml.jackson.databind.JsonNode> messages(String chatId, String user) {
        TestHttp.Resp r = http().get("/v1/chats/" + chatId + "/messages?order=asc&limit=200", token(user));
        if (r.status() != 200) {
            throw new AssertionError("GET messages of " + chatId + ": " + r);
        }
        java.util.List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        r.data().path("messages").forEach(out::add);
        return out;
    }

    /** One message of {@link #messages}, by id; fails when it is not there. */
    public com.fasterxml.jackson.databind.JsonNode message(String chatId, String user, String messageId) {
        return messages(chatId, user).stream().filter(m -> messageId.equals(m.path("id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no message " + messageId + " in GET " + chatId));
    }

    /** A user id no other test uses. */
    public static String newUser(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + USERS.incrementAndGet();
    }

    /** Stops a private server and deletes its temporary data folder. */
    public void closeAndDelete() {
        close();
        deleteQuietly(dataDir);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }

    static void deleteQuietly(Path p) {
        try (var walk = Files.walk(p)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // temp folder; best effort
        }
    }
}
