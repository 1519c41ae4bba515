package com.speechbot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestHttp;
import com.speechbot.server.ws.WsTestClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator contract, end to end with real processes: {@code serve} logs readiness, {@code token} prints a token
 * valid for that server, SIGTERM shuts down gracefully (WebSockets closed with 1001), and after a SIGKILL the next
 * start on the same data folder comes up with every committed message.
 */
class ServeProcessTest {

    @TempDir
    Path dataDir;

    @Test
    void survivesSigtermAndSigkillWithAllCommittedData() throws Exception {
        int port = freePort();
        Path log1 = dataDir.resolve("serve-1.log");
        Process server = serve(port, log1);
        String token = token("alice");
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);

        JsonNode chat = http.post("/v1/chats", token, Map.of("title", "lifecycle", "bot_enabled", false)).data().path("chat");
        String chatId = chat.path("id").asText();
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/v1/chats/" + chatId + "/messages", token, Map.of("content", "m" + i)).status())
                    .isEqualTo(201);
        }

        WsTestClient ws = WsTestClient.connect(WsTestClient.url("ws://127.0.0.1:" + port, chatId), token);
        server.destroy(); // SIGTERM
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("graceful stop in time").isTrue();
        assertThat(ws.awaitClose(Duration.ofSeconds(10))).isEqualTo(1001);
        assertThat(Files.readString(log1)).contains("SpeechBot Realtime stopped");

        Process second = serve(port, dataDir.resolve("serve-2.log"));
        assertThat(messageCount(http, chatId, token)).isEqualTo(5);
        assertThat(http.post("/v1/chats/" + chatId + "/messages", token, Map.of("content", "after restart")).status())
                .isEqualTo(201);
        second.destroyForcibly(); // SIGKILL: the embedded PostgreSQL is left running, orphaned
        second.waitFor(30, TimeUnit.SECONDS);

        Process third = serve(port, dataDir.resolve("serve-3.log"));
        try {
            assertThat(messageCount(http, chatId, token)).isEqualTo(6);
        } finally {
            third.destroy();
            third.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int messageCount(TestHttp http, String chatId, String token) {
        TestHttp.Resp r = http.get("/v1/chats/" + chatId + "/messages?limit=200", token);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.data().path("pagination").path("total_messages").asInt();
    }

    private Process serve(int port, Path log) throws IOException, InterruptedException {
        Process p = java(List.of("serve"), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String out = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (out.contains("SpeechBot Realtime ready on")) {
                assertThat(out).contains(":" + port);
                return p;
            }
            if (!p.isAlive()) {
                throw new AssertionError("server exited with " + p.exitValue() + ":\n" + out);
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new AssertionError("server not ready in time:\n" + Files.readString(log));
    }

    private String token(String user) throws Exception {
        Path out = dataDir.resolve("token.out");
        Process p = java(List.of("token", "--user", user, "--ttl", "1h"), out);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String[] lines = Files.readString(out).strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    private Process java(List<String> args, Path output) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile());
        pb.environment().put("SPEECHBOT_DATA_DIR", dataDir.toString());
        pb.environment().put("SPEECHBOT_PORT", Integer.toString(lastPort));
        pb.environment().put("SPEECHBOT_HOST", "127.0.0.1");
        return pb.start();
    }

    private int lastPort;

    private int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            lastPort = s.getLocalPort();
            return lastPort;
        }
    }
}
