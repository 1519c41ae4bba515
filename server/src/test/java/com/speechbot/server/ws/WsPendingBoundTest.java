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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * websocket.max_pending_bytes: a stalled subscriber is closed once that much is queued for it, but a client that reads
 * is not closed for receiving more than that at once (a burst of large messages, a resume replay at the client's pace).
 */
class WsPendingBoundTest {

    private static final int MAX_PENDING = 256 * 1024;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = WsSupport.privateServer(Map.of(
                "SPEECHBOT_WEBSOCKET_WRITE_BUFFER_LOW_BYTES", "4096",
                "SPEECHBOT_WEBSOCKET_WRITE_BUFFER_HIGH_BYTES", "16384",
                // a timeout the tests never reach: the byte bound is what closes a stalled subscriber
                "SPEECHBOT_WEBSOCKET_SLOW_CONSUMER_TIMEOUT_MS", "600000",
                "SPEECHBOT_WEBSOCKET_MAX_PENDING_BYTES", String.valueOf(MAX_PENDING)));
    }

    @AfterAll
    static void stop() {
        WsSupport.stop(server);
    }

    @Test
    void stalledSubscriberIsClosedOnceItQueuesTooMuch() {
        // bursts of two max-size messages stay below the bound for the readers
        WsSlowConsumerTest.floodAndCheck(server, 2);
    }

    @Test
    void burstLargerThanTheBoundDoesNotCloseClientsThatRead() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        String content = "z".repeat(server.server().config().limits().maxContentBytes() - 16);
        int total = 12; // sent at once, stored in one or two group commits: ~750 KB of frames in one go, 3x the bound
        double closesBefore = metric(server, "speechbot_ws_slow_consumer_closes_total");
        try (WsTestClient a = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed)) {
            for (int i = 0; i < total; i++) {
                a.sendMessage(i + " " + content, null);
            }
            for (WsTestClient x : new WsTestClient[] {a, b}) {
                List<Long> seqs = new ArrayList<>();
                while (seqs.size() < total) {
                    seqs.add(seqOf(x.awaitEvent("new_message")));
                }
                assertThat(seqs).containsExactlyElementsOf(
                        LongStream.rangeClosed(seq(seed) + 1, seq(seed) + total).boxed().toList());
                x.send("ping", Map.of());
                x.awaitEvent("pong");
                assertThat(x.isClosed()).isFalse();
            }
        }
        assertThat(metric(server, "speechbot_ws_slow_consumer_closes_total")).isEqualTo(closesBefore);
    }

    @Test
    void resumeReplayLargerThanTheBoundReachesAClientThatReads() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        String content = "y".repeat(server.server().config().limits().maxContentBytes() - 16);
        int total = 40; // ~2.5 MB of new_message frames: ten times the bound
        try (WsTestClient a = live(server, chat, alice, seed)) {
            for (int i = 0; i < total; i++) {
                a.sendMessage(i + " " + content, null);
                a.awaitEvent("new_message");
            }
        }
        double closesBefore = metric(server, "speechbot_ws_slow_consumer_closes_total");
        try (WsTestClient b = WsTestClient.connect(WsSupport.ws(server, chat) + "?after=" + seed, server.token(bob))) {
            List<Long> seqs = new ArrayList<>();
            JsonNode e;
            while (!(e = b.nextEvent()).path("type").asText().equals("resume_complete")) {
                if (e.path("type").asText().equals("new_message")) {
                    seqs.add(seqOf(e));
                }
            }
            assertThat(seqs).containsExactlyElementsOf(
                    LongStream.rangeClosed(seq(seed) + 1, seq(seed) + total).boxed().toList());
            assertThat(e.path("data").path("replayed").asInt()).isEqualTo(total);
            b.send("ping", Map.of());
            b.awaitEvent("pong");
            assertThat(b.isClosed()).isFalse();
        }
        assertThat(metric(server, "speechbot_ws_slow_consumer_closes_total")).isEqualTo(closesBefore);
    }
}
