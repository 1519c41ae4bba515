package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.speechbot.client.outbox.FileOutboxStore;
import com.speechbot.client.outbox.QueuedSend;
import com.speechbot.client.rest.MessageQuery;
import com.speechbot.client.rest.NewMessage;
import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ConnectionOptions;
import com.speechbot.client.ws.Outgoing;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.MessageView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages written while the server is away are kept, sent once it is back, and stored exactly once. */
class OfflineOutboxTest {

    private static final Duration RESTART = Duration.ofSeconds(90);

    private ClientTestServer server;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        server = ClientTestServer.startPrivate(Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ConnectionOptions fastRetry() {
        return ConnectionOptions.defaults().backoff(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    @Test
    void writtenWhileTheServerRestartsThenSentOnce() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("offline", false);
        EventLog log = new EventLog();
        try (ChatConnection c = a.connect(chat.id(), fastRetry().onEvent(log))) {
            await().until(c::isLive);
            c.send("before").stored().join();

            server.stop();
            await().until(() -> !c.isLive());
            List<Outgoing> offline = List.of(c.send("offline 1"), c.send("offline 2"), c.send("offline 3"));
            assertThat(c.queued().get()).hasSize(3);

            server.start();
            CompletableFuture.allOf(offline.stream().map(Outgoing::stored).toArray(CompletableFuture[]::new))
                    .get(RESTART.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(c.queued().get()).isEmpty();
        }
        assertThat(stored(a, chat)).containsExactly("before", "offline 1", "offline 2", "offline 3");
        assertThat(log.contents()).containsExactly("before", "offline 1", "offline 2", "offline 3");
    }

    @Test
    void aFileOutboxSurvivesAClientRestart() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("app restart", false);
        Path file = dir.resolve("outbox.json");
        // Stored just before the app died, but never confirmed to it: the retry must not store it twice.
        a.sendMessage(chat.id(), NewMessage.text("sent before the crash", "c_crash"));
        new FileOutboxStore(file).put(new QueuedSend("c_crash", chat.id(), "sent before the crash", "text", null, null,
                Instant.now(), 0));

        server.stop();
        try (ChatConnection first = server.client(alice).connect(chat.id(), fastRetry().outbox(new FileOutboxStore(file)))) {
            first.send("written offline 1");
            first.send("written offline 2");
            await().until(() -> first.queued().get().size() == 3);
        } // the app quits with the server still away
        assertThat(new FileOutboxStore(file).load(chat.id())).extracting(QueuedSend::content)
                .containsExactly("sent before the crash", "written offline 1", "written offline 2");

        server.start();
        FileOutboxStore reopened = new FileOutboxStore(file);
        try (ChatConnection second = server.client(alice).connect(chat.id(), fastRetry().outbox(reopened))) {
            await().atMost(RESTART).until(() -> second.queued().get().isEmpty());
        }
        assertThat(new FileOutboxStore(file).load(chat.id())).isEmpty();
        assertThat(stored(a, chat)).containsExactly("sent before the crash", "written offline 1", "written offline 2");
        assertThat(Files.list(dir)).containsExactly(file); // no temporary files left behind
    }

    private static List<String> stored(SpeechBotClient c, ChatView chat) {
        return c.listMessages(chat.id(), MessageQuery.after(null, 200)).messages().stream().map(MessageView::content).toList();
    }
}
