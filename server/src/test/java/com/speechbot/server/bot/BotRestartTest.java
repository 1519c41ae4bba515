package com.speechbot.server.bot;

import static com.speechbot.server.bot.BotE2e.WAIT;
import static com.speechbot.server.bot.BotE2e.botMessages;
import static com.speechbot.server.bot.BotE2e.live;
import static com.speechbot.server.bot.BotE2e.readStream;
import static com.speechbot.server.bot.BotE2e.readUntilIndex;
import static com.speechbot.server.bot.BotE2e.seededBotChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import com.speechbot.server.bot.BotE2e.Seeded;
import com.speechbot.server.ws.WsTestClient;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An answer cut off by a stop is "failed" after the restart, with the text checkpointed while it streamed; questions
 * that were waiting behind it are answered after the restart.
 */
class BotRestartTest {

    private TestServer server;

    @BeforeEach
    void start() {
        server = BotE2e.start(Map.of("SPEECHBOT_BOT_PACE_MS", "20"));
    }

    @AfterEach
    void stop() {
        BotE2e.stop(server);
    }

    @Test
    void anAnswerInterruptedByAStopIsFailedAfterTheRestart() throws Exception {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        String userId;
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(BotE2e.echo(400), null); // 8 s at 20 ms a token
            userId = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            readUntilIndex(a, 40); // past a checkpoint (every 500 ms)
            JsonNode during = botMessages(server, c.chat(), alice).get(0);
            assertThat(during.path("status").asText()).isEqualTo("typing");
            server.restart();
        }

        JsonNode after = botMessages(server, c.chat(), alice).get(0);
        assertThat(after.path("reply_to").asText()).isEqualTo(userId);
        assertThat(after.path("status").asText()).isEqualTo("failed");
        String kept = after.path("content").asText();
        assertThat(kept).isNotEmpty();
        assertThat(BotE2e.echoAnswer(400)).startsWith(kept);
        assertThat(after.path("metadata").path("error").asText()).contains("restart");

        // the bot answers again after the restart, and never a second time for the interrupted question
        try (WsTestClient a = live(server, c.chat(), alice, after.path("id").asText())) {
            a.sendMessage("/upper back", null);
            assertThat(readStream(a, null).text()).isEqualTo("BACK");
        }
        assertThat(botMessages(server, c.chat(), alice)).hasSize(2);
    }

    @Test
    void questionsWaitingBehindAnInterruptedAnswerAreAnsweredAfterTheRestart() throws Exception {
        String alice = TestServer.newUser("alice");
        Seeded c = seededBotChat(server, alice);
        String first;
        String second;
        String third;
        try (WsTestClient a = live(server, c.chat(), alice, c.seed())) {
            a.sendMessage(BotE2e.echo(400), null); // 8 s at 20 ms a token: still streaming at the stop
            first = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            readUntilIndex(a, 5);
            a.sendMessage("/upper second", null); // queued behind the first answer
            second = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            a.sendMessage("/upper third", null);
            third = a.awaitEvent("new_message", WAIT).path("data").path("message").path("id").asText();
            server.restart();
        }

        // the interrupted answer failed; the two waiting questions are answered, in order, once each
        assertThat(BotE2e.awaitStoredAnswer(server, c.chat(), alice, first).path("status").asText()).isEqualTo("failed");
        JsonNode answerToSecond = BotE2e.awaitStoredAnswer(server, c.chat(), alice, second);
        JsonNode answerToThird = BotE2e.awaitStoredAnswer(server, c.chat(), alice, third);
        assertThat(answerToSecond.path("content").asText()).isEqualTo("SECOND");
        assertThat(answerToThird.path("content").asText()).isEqualTo("THIRD");
        assertThat(BotE2e.seq(answerToSecond.path("id").asText())).isLessThan(BotE2e.seq(answerToThird.path("id").asText()));
        assertThat(botMessages(server, c.chat(), alice)).hasSize(3);

        // a second restart finds nothing left to answer
        server.restart();
        Thread.sleep(500);
        assertThat(botMessages(server, c.chat(), alice)).hasSize(3);
    }
}
