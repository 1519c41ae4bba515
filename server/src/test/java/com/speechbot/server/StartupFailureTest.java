package com.speechbot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that fails half way (here: the port is taken) stops what it had started, the embedded database included. */
class StartupFailureTest {

    @TempDir
    Path dataDir;

    @Test
    void failedStartStopsTheEmbeddedDatabase() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> TestServer.start(dataDir,
                    Map.of("SPEECHBOT_PORT", Integer.toString(taken.getLocalPort()))))
                    .isInstanceOf(Exception.class);
        }
        assertThat(Files.exists(dataDir.resolve("pg").resolve("postmaster.pid"))).as("postgres stopped").isFalse();
        try (TestServer again = TestServer.start(dataDir, Map.of())) {
            assertThat(again.http().get("/healthz", null).status()).isEqualTo(200);
        }
    }
}
