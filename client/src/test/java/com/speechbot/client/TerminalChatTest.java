package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.speechbot.client.example.TerminalChat;
import com.speechbot.client.rest.MessageQuery;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.MessageView;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The terminal example as a user runs it: a separate JVM, driven through its stdin and read from its stdout. */
class TerminalChatTest {

    private final ClientTestServer server = ClientTestServer.shared();

    @Test
    void aLineTypedIsSentAndTheBotsAnswerStreamsOnScreen() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("terminal", true);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), TerminalChat.class.getName(),
                "--url", server.baseUrl(), "--token", server.token(alice), "--chat", chat.id())
                .redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (Exception ignored) {
                // the process ended
            }
        });
        reader.start();
        try (Writer stdin = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("* connected"));
            stdin.write("What is a WebSocket?\n");
            stdin.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.contains("* answer complete"));
            stdin.write("/quit\n");
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        reader.join();
        assertThat(p.exitValue()).isZero();

        List<MessageView> stored = a.listMessages(chat.id(), MessageQuery.after(null, 10)).messages();
        assertThat(stored).extracting(MessageView::role).containsExactly("user", "bot");
        assertThat(lines).contains("✓ What is a WebSocket?");
        String answer = stored.get(1).content();
        assertThat(String.join("\n", lines)).contains("bot: " + answer);
    }
}
