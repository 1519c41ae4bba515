package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.speechbot.client.ws.BotAnswer;
import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ChatEvent;
import com.speechbot.client.ws.ConnectionOptions;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.MessageView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BotAnswerTest {

    private final ClientTestServer server = ClientTestServer.shared();

    @Test
    void anAnswerInterruptedByReconnectsIsAssembledWithoutGapsOrRepeats() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("bot", true);
        EventLog log = new EventLog();
        try (ChatConnection c = a.connect(chat.id(), ConnectionOptions.defaults()
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).onEvent(log))) {
            await().until(c::isLive);
            c.send("Please explain streaming in a few sentences.").stored().get(10, TimeUnit.SECONDS);

            // drop the socket three times while the answer is being written
            for (int i = 1; i <= 3; i++) {
                int progressed = log.of(ChatEvent.AnswerProgress.class).size();
                await().until(() -> log.of(ChatEvent.AnswerProgress.class).size() > progressed);
                c.reconnectNow();
            }
            await().until(() -> log.of(ChatEvent.AnswerProgress.class).stream().anyMatch(p -> p.answer().isComplete()));

            List<ChatEvent.AnswerProgress> progress = log.of(ChatEvent.AnswerProgress.class);
            BotAnswer answer = progress.get(0).answer();
            MessageView stored = answer.completion().get();
            assertThat(stored.status()).isEqualTo("delivered");
            assertThat(stored.metadata().path("model_used").asText()).isNotEmpty();
            assertThat(answer.text()).isEqualTo(stored.content()).isNotEmpty();
            // the deltas shown one after the other are exactly the stored answer
            assertThat(String.join("", progress.stream().map(ChatEvent.AnswerProgress::delta).toList()))
                    .isEqualTo(stored.content());
            assertThat(progress).allSatisfy(p -> assertThat(p.answer()).isSameAs(answer));
            assertThat(log.of(ChatEvent.Resumed.class)).hasSizeGreaterThanOrEqualTo(3);
        }
    }
}
