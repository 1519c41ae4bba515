package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.seed;
import static com.speechbot.server.ws.WsSupport.seq;
import static com.speechbot.server.ws.WsSupport.seqOf;
import static com.speechbot.server.ws.WsSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.Ids;
import com.speechbot.server.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Reconnecting with ?after= (or a resume event): every missed message in order, then live, no gap, no duplicate. */
class WsResumeTest {

    private final TestServer server = TestServer.shared();

    /** What a client saw: new_message seqs in arrival order, and where resume_complete came. */
    private record Seen(List<Long> seqs, int resumeCompleteAt, JsonNode resumeComplete) {}

    /** Reads {@code client}'s events until it has a new_message with seq {@code lastSeq} and a resume_complete. */
    private static Seen collect(WsTestClient client, long lastSeq, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> seqs = new ArrayList<>();
        int resumeAt = -1;
        JsonNode resume = null;
        int resumes = 0;
        while (!(seqs.contains(lastSeq) && resume != null)) {
            long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            assertThat(System.nanoTime()).as("timed out; saw " + seqs.size() + " messages, resume " + resume)
                    .isLessThan(deadline);
            JsonNode e = client.nextEvent(Duration.ofMillis(left));
            switch (e.path("type").asText()) {
                case "new_message" -> seqs.add(seqOf(e));
                case "resume_complete" -> {
                    resumes++;
                    resumeAt = seqs.size();
                    resume = e.path("data");
                }
                default -> { } // delivered receipts etc.
            }
        }
        assertThat(resumes).isEqualTo(1);
        return new Seen(seqs, resumeAt, resume);
    }

    private static void assertReplayThenLive(Seen seen, long after, long lastSeq) {
        // every message after the resume point exactly once, in seq order
        assertThat(seen.seqs()).containsExactlyElementsOf(LongStream.rangeClosed(after + 1, lastSeq).boxed().toList());
        // resume_complete separates the replay from the live events
        long replayedUpTo = seq(seen.resumeComplete().path("last_message_id").asText());
        int replayed = seen.resumeComplete().path("replayed").asInt();
        assertThat(replayed).isEqualTo((int) (replayedUpTo - after));
        assertThat(seen.resumeCompleteAt()).as("resume_complete position in " + seen.seqs()).isEqualTo(replayed);
    }

    @Test
    void reconnectWithAfterGetsEveryMissedMessageThenLiveWhileAnotherClientKeepsSending() throws Exception {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        int total = 200;
        try (WsTestClient a = live(server, chat, alice, seed)) {
            for (int i = 0; i < 5; i++) {
                a.sendMessage("before " + i, "before-" + i);
            }
            String bobsLast = null;
            for (int i = 0; i < 5; i++) {
                bobsLast = a.awaitEvent("new_message").path("data").path("message").path("id").asText();
            }
            long after = seq(bobsLast);

            AtomicInteger sent = new AtomicInteger();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < total; i++) {
                    a.sendMessage("live " + i, "live-" + i);
                    sent.incrementAndGet();
                    WsTestClient.sleep(3); // ~0.6 s of traffic: the resume happens in the middle of it
                }
            });
            while (sent.get() < 50) {
                Thread.sleep(1);
            }
            try (WsTestClient b = WsTestClient.connect(ws(server, chat) + "?after=" + bobsLast, server.token(bob))) {
                Seen seen = collect(b, after + total, Duration.ofSeconds(20));
                sender.get(10, TimeUnit.SECONDS);
                assertReplayThenLive(seen, after, after + total);
                assertThat(seen.resumeComplete().path("replayed").asInt()).isPositive();
                b.assertNoEvent("new_message", 200);
            }
            // the sender saw all of its own messages too
            List<Long> own = new ArrayList<>();
            while (own.size() < total) {
                own.add(seqOf(a.awaitEvent("new_message")));
            }
            assertThat(own).containsExactlyElementsOf(LongStream.rangeClosed(after + 1, after + total).boxed().toList());
        }
    }

    @Test
    void replaySpanningSeveralPagesIsComplete() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        int total = 1100; // more than two replay pages
        try (WsTestClient a = live(server, chat, alice, seed)) {
            for (int i = 0; i < total; i++) {
                a.sendMessage("m" + i, null);
            }
            long last = 0;
            for (int i = 0; i < total; i++) {
                last = seqOf(a.awaitEvent("new_message"));
            }
            assertThat(last).isEqualTo(seq(seed) + total);
        }
        try (WsTestClient b = WsTestClient.connect(ws(server, chat) + "?after=" + seed, server.token(bob))) {
            Seen seen = collect(b, seq(seed) + total, Duration.ofSeconds(20));
            assertReplayThenLive(seen, seq(seed), seq(seed) + total);
            assertThat(seen.resumeComplete().path("replayed").asInt()).isEqualTo(total);
        }
    }

    @Test
    void resumeEventReplaysAfterTheGivenMessage() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        List<String> ids = new ArrayList<>();
        try (WsTestClient a = live(server, chat, alice, seed)) {
            for (int i = 0; i < 4; i++) {
                a.sendMessage("m" + i, null);
                ids.add(a.awaitEvent("new_message").path("data").path("message").path("id").asText());
            }
            try (WsTestClient b = WsTestClient.connect(ws(server, chat), server.token(bob))) {
                b.send("resume", Map.of("after", ids.get(0)));
                for (int i = 1; i < 4; i++) {
                    JsonNode m = b.awaitEvent("new_message").path("data").path("message");
                    assertThat(m.path("id").asText()).isEqualTo(ids.get(i));
                    assertThat(m.path("content").asText()).isEqualTo("m" + i);
                }
                JsonNode done = b.nextEvent();
                assertThat(done.path("type").asText()).isEqualTo("resume_complete");
                assertThat(done.path("data").path("last_message_id").asText()).isEqualTo(ids.get(3));
                assertThat(done.path("data").path("replayed").asInt()).isEqualTo(3);

                // then live, once
                a.sendMessage("live", null);
                JsonNode live = b.awaitEvent("new_message").path("data").path("message");
                assertThat(live.path("content").asText()).isEqualTo("live");
                assertThat(seq(live.path("id").asText())).isEqualTo(seq(ids.get(3)) + 1);
                b.assertNoEvent("new_message", 200);

                // a resume point of another chat is refused, and the connection stays
                b.send("resume", Map.of("after", Ids.messageId(1, 1)));
                assertThat(b.awaitEvent("error").path("data").path("error_code").asText()).isEqualTo("MISSING_FIELD");
                // "" means from the start
                b.send("resume", Map.of("after", ""));
                Seen all = collect(b, seq(ids.get(3)) + 1, Duration.ofSeconds(10));
                assertThat(all.seqs()).first().isEqualTo(seq(seed));
                assertThat(all.seqs()).hasSize(6);
            }
        }
    }

    @Test
    void resumingAtTheLatestMessageReplaysNothing() {
        String alice = TestServer.newUser("alice");
        String chat = createChat(server, alice);
        String seed = seed(server, chat, alice);
        try (WsTestClient a = WsTestClient.connect(ws(server, chat) + "?after=" + seed, server.token(alice))) {
            JsonNode done = a.nextEvent();
            assertThat(done.path("type").asText()).isEqualTo("resume_complete");
            assertThat(done.path("data").path("replayed").asInt()).isZero();
            assertThat(done.path("data").path("last_message_id").asText()).isEqualTo(seed);
        }
    }
}
