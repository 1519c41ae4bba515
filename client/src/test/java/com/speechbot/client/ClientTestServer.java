package com.speechbot.client;

import com.speechbot.server.SpeechBotServer;
import com.speechbot.server.auth.TokenService;
import com.speechbot.server.config.ConfigLoader;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real server, in-process, on an embedded PostgreSQL in a temp folder and on a fixed port (so a restart comes
 * back where the clients reconnect). {@link #shared()} serves most tests; they isolate themselves by chat and user.
 */
public final class ClientTestServer implements AutoCloseable {

    /** Known to the tests so they can mint tokens the server accepts, expired ones included. */
    private static final String JWT_SECRET = "client-tests-secret-0123456789-abcdefghij";
    private static final AtomicLong USERS = new AtomicLong();
    private static ClientTestServer shared;

    private final Path dataDir;
    private final Map<String, String> env = new HashMap<>();
    private final int port;
    private SpeechBotServer server;

    private ClientTestServer(Map<String, String> overrides) throws Exception {
        this.dataDir = Files.createTempDirectory("speechbot-client-test-");
        this.port = freePort();
        env.put("SPEECHBOT_HOST", "127.0.0.1");
        env.put("SPEECHBOT_PORT", Integer.toString(port));
        env.put("SPEECHBOT_DATA_DIR", dataDir.toString());
        env.put("SPEECHBOT_JWT_SECRET", JWT_SECRET);
        env.put("SPEECHBOT_BOT_PACE_MS", "25"); // an answer streams for about a second: long enough to reconnect within it
        env.put("SPEECHBOT_SERVER_SHUTDOWN_GRACE_SECONDS", "1");
        env.putAll(overrides);
        start();
    }

    public static synchronized ClientTestServer shared() {
        if (shared == null) {
            try {
                shared = new ClientTestServer(Map.of());
            } catch (Exception e) {
                throw new IllegalStateException("test server failed to start", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    /** A private server (restart tests); {@code overrides} are SPEECHBOT_* variables. */
    public static ClientTestServer startPrivate(Map<String, String> overrides) throws Exception {
        return new ClientTestServer(overrides);
    }

    public void start() throws Exception {
        server = SpeechBotServer.start(ConfigLoader.load(env));
    }

    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public String token(String user) {
        return tokens(Clock.systemUTC()).mint(user, Duration.ofHours(1));
    }

    /** A token that expired an hour ago (beyond the server's leeway). */
    public String expiredToken(String user) {
        return tokens(Clock.offset(Clock.systemUTC(), Duration.ofHours(-2))).mint(user, Duration.ofHours(1));
    }

    public SpeechBotClient client(String user) {
        return SpeechBotClient.builder().baseUrl(baseUrl()).token(token(user)).build();
    }

    public static String newUser(String prefix) {
        return prefix + "_" + ProcessHandle.current().pid() + "_" + USERS.incrementAndGet();
    }

    private static TokenService tokens(Clock clock) {
        return new TokenService(JWT_SECRET.getBytes(StandardCharsets.UTF_8), null, null, clock, TokenService.DEFAULT_LEEWAY);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        stop();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder; best effort
        }
    }
}
