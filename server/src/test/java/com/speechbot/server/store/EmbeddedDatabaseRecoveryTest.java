package com.speechbot.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseRecoveryTest {

    @TempDir
    Path dataDir;

    @Test
    void startsAgainAfterTheOwningJvmWasKilled() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledOwnerMain.class.getName(), dataDir.toString())
                .redirectErrorStream(true)
                .start();
        StringBuffer output = new StringBuffer();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.append(line).append('\n');
                    if (line.equals("READY")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the owner was killed
            }
            ready.completeExceptionally(new IllegalStateException("owner JVM exited before READY"));
        }, "owner-output");
        reader.setDaemon(true);
        reader.start();

        long postgresPid = -1;
        try {
            try {
                ready.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                fail("owner JVM did not get ready:\n" + output, e);
            }
            postgresPid = postmasterPid();
            assertThatThrownBy(() -> Database.open(null, null, null, 1, dataDir))
                    .as("a live owner's postgres is not an orphan")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another running process");
            assertThat(EmbeddedDatabase.isRunning(postgresPid)).isTrue();

            owner.destroyForcibly();
            assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(EmbeddedDatabase.isRunning(postgresPid)).as("postgres outlives its SIGKILLed owner").isTrue();

            try (Database db = Database.open(null, null, null, 2, dataDir)) {
                assertThat(EmbeddedDatabase.isRunning(postgresPid)).as("orphaned postgres stopped").isFalse();
                assertThat(DatabaseTest.one(db.jdbi(), "SELECT title FROM chats WHERE id = 42", String.class))
                        .isEqualTo("survives SIGKILL");
            }
            assertThat(EmbeddedDatabase.isRunning(postgresPid)).isFalse();
        } finally {
            owner.destroyForcibly();
            killIfPostgres(postgresPid);
        }
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("pg").resolve("postmaster.pid")).get(0).trim());
    }

    /** Never leaks a server when an assertion fails half-way; checks the command so a reused pid is left alone. */
    private static void killIfPostgres(long pid) {
        if (pid > 0 && EmbeddedDatabase.isRunning(pid)) {
            ProcessHandle.of(pid)
                    .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
