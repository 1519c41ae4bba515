package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.metric;
import static com.speechbot.server.ws.WsSupport.seed;
import static com.speechbot.server.ws.WsSupport.seq;
import static com.speechbot.server.ws.WsSupport.seqOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading is closed (1013, "reconnect and resume") once it stays unwritable past the timeout,
 * while the other subscribers of the chat keep receiving everything at full speed. (The byte bound: WsPendingBoundTest.)
 */
class WsSlowConsumerTest {

    private static final String SLOW_CLOSES = "speechbot_ws_slow_consumer_closes_total";

    private TestServer server;

    @AfterEach
    void stop() {
        WsSupport.stop(server);
    }

    @Test
    void stalledSubscriberIsClosedAfterTheTimeoutWhileFastOnesGetEverything() {
        server = WsSupport.privateServer(Map.of(
                "SPEECHBOT_WEBSOCKET_WRITE_BUFFER_LOW_BYTES", "4096",
                "SPEECHBOT_WEBSOCKET_WRITE_BUFFER_HIGH_BYTES", "16384",
                "SPEECHBOT_WEBSOCKET_SLOW_CONSUMER_TIMEOUT_MS", "300",
                // far above what the test queues: the timeout is what closes the stalled subscriber
                "SPEECHBOT_WEBSOCKET_MAX_PENDING_BYTES", String.valueOf(512L * 1024 * 1024)));
        floodAndCheck(server, 20);
    }

    /**
     * Floods a chat with max-size messages in bursts of {@code burst} (the sender paces itself on its own echoes) while
     * two subscribers stall (a bare socket that never reads, and a real client that stops reading); checks the stalled
     * ones are closed and counted, the fast ones got everything, and a stalled one recovers by resuming.
     */
    static void floodAndCheck(TestServer server, int burst) {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String carol = TestServer.newUser("carol");
        String dave = TestServer.newUser("dave");
        String chat = createChat(server, alice, bob, carol, dave);
        String seed = seed(server, chat, alice);
        double closesBefore = metric(server, SLOW_CLOSES);
        String content = "x".repeat(server.server().config().limits().maxContentBytes() - 16);

        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient c = live(server, chat, carol, seed);
             WsTestClient d = live(server, chat, dave, seed);
             // bob never reads, and his socket buffers almost nothing
             WsTestClient.Raw slow = WsTestClient.Raw.open(server.port(),
                     "/v1/chats/" + chat + "/ws?token=" + server.token(bob), Map.of(), 4096)) {
            assertThat(slow.answer.status()).isEqualTo(101);
            d.pauseReading(); // dave's client stops taking frames: the JDK stops reading its socket

            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (metric(server, SLOW_CLOSES) < closesBefore + 2) {
                assertThat(System.nanoTime()).as("stalled subscribers not closed after " + sent + " messages")
                        .isLessThan(deadline);
                for (int i = 0; i < burst; i++, sent++) {
                    a.sendMessage(sent + " " + content, null);
                }
                // the sender paces itself on its own echoes (it is a fast subscriber too)
                for (int i = 0; i < burst; i++) {
                    a.awaitEvent("new_message");
                }
            }
            long last = seq(seed) + sent;

            // the fast subscriber got every message, in order, and is still connected
            List<Long> seqs = new ArrayList<>();
            while (seqs.size() < sent) {
                seqs.add(seqOf(c.awaitEvent("new_message")));
            }
            assertThat(seqs).containsExactlyElementsOf(LongStream.rangeClosed(seq(seed) + 1, last).boxed().toList());
            c.send("ping", Map.of());
            c.awaitEvent("pong");
            assertThat(c.isClosed()).isFalse();
            assertThat(a.isClosed()).isFalse();

            // the stalled ones were closed: their backlog ends without more (1013 if the close frame made it through)
            assertThat(slow.readUntilClosed(Duration.ofSeconds(10))).isIn(1013, 1006);
            d.resumeReading();
            assertThat(d.awaitClose()).isIn(1013, 1006);
            assertThat(d.drain()).extracting(e -> e.path("type").asText()).doesNotContain("error");
            assertThat(metric(server, SLOW_CLOSES)).isEqualTo(closesBefore + 2);

            // and it recovers by resuming: everything, then live
            try (WsTestClient again = WsTestClient.connect(
                    WsSupport.ws(server, chat) + "?after=" + seed, server.token(bob))) {
                List<Long> replayed = new ArrayList<>();
                JsonNode e;
                while (!(e = again.nextEvent()).path("type").asText().equals("resume_complete")) {
                    if (e.path("type").asText().equals("new_message")) {
                        replayed.add(seqOf(e));
                    }
                }
                assertThat(replayed).containsExactlyElementsOf(seqs);
                a.sendMessage("after the storm", null);
                assertThat(again.awaitEvent("new_message").path("data").path("message").path("content").asText())
                        .isEqualTo("after the storm");
            }
        }
    }
}
