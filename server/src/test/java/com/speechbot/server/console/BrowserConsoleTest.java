package com.speechbot.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.speechbot.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat console in a real browser: {@code e2e/console.test.js} drives two headless Chromium pages (Playwright)
 * against a private server running on its generated dev secret, with a paced builtin bot so the answer really streams.
 * Needs node, {@code e2e/node_modules} ({@code npm ci}) and {@code /usr/bin/chromium}: {@code scripts/test.sh} installs
 * them. Missing prerequisites fail the test (a browser test that silently skips proves nothing) unless
 * {@code SPEECHBOT_SKIP_BROWSER_TEST=1} says to skip it on purpose.
 */
class BrowserConsoleTest {

    private static final long TIMEOUT_SECONDS = 120;

    @TempDir
    static Path dataDir;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(dataDir, Map.of("SPEECHBOT_BOT_PACE_MS", "25"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoBrowserPagesChatWithEachOtherAndTheBot() throws Exception {
        Assumptions.assumeFalse("1".equals(System.getenv("SPEECHBOT_SKIP_BROWSER_TEST")),
                "SPEECHBOT_SKIP_BROWSER_TEST=1: browser test skipped on purpose");
        Path repo = repoRoot();
        Path script = repo.resolve("e2e/console.test.js");
        assertThat(repo.resolve("e2e/node_modules/playwright-core")).as(
                "playwright-core is not installed: run `bash scripts/test.sh`, or `(cd e2e && npm ci)`").isDirectory();
        String chromium = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("no Chromium at " + chromium + ": `apt-get install -y chromium`"
                + " (scripts/test.sh does it), or set CHROMIUM_PATH").isRegularFile();

        List<String> command = new ArrayList<>(List.of(node(), repo.relativize(script).toString(), server.baseUrl()));
        Process p = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), out), "e2e-output");
        pump.start();
        boolean finished = p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(finished).as("node %s did not finish within %d s; output:%n%s", script, TIMEOUT_SECONDS, output).isTrue();
        assertThat(p.exitValue()).as("node %s %s failed; output:%n%s", script, server.baseUrl(), output).isZero();
        assertThat(output).contains("passed, 0 failed");
    }

    /** The repository root: the working directory is the server module when Maven runs the tests. */
    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("e2e/console.test.js"))) {
                return d;
            }
        }
        throw new AssertionError("no e2e/console.test.js above " + dir);
    }

    private static String node() {
        for (String candidate : List.of("/usr/bin/node", "/usr/local/bin/node")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "node"; // from PATH
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (out) {
                    out.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
