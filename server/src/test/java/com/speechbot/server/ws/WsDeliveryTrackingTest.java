package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.message;
import static com.speechbot.server.ws.WsSupport.seed;
import static com.speechbot.server.ws.WsSupport.status;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** message_status: "delivered" when another member's connection got it, "read" from mark_read, only to the author. */
class WsDeliveryTrackingTest {

    private final TestServer server = TestServer.shared();

    private static String send(WsTestClient from, String content) {
        from.sendMessage(content, null);
        return from.awaitEvent("new_message", d -> content.equals(d.path("message").path("content").asText()),
                WsTestClient.TIMEOUT).path("data").path("message").path("id").asText();
    }

    @Test
    void markReadReachesEveryDeviceOfTheAuthorButNoOtherMember() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String carol = TestServer.newUser("carol");
        String chat = createChat(server, alice, bob, carol);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed);
             WsTestClient b = live(server, chat, bob, seed);
             WsTestClient c = live(server, chat, carol, seed)) {
            String m1 = send(a1, "one");
            String m2 = send(a1, "two");
            String m3 = send(a1, "three");
            for (WsTestClient x : new WsTestClient[] {b, c}) {
                x.awaitEvent("new_message", WsSupport.messageId(m3), WsTestClient.TIMEOUT);
            }
            for (WsTestClient a : new WsTestClient[] {a1, a2}) {
                // one receipt per message, in any order (each send was its own batch)
                a.awaitEach("message_status", d -> d.path("status").asText() + " " + d.path("message_id").asText(),
                        List.of("delivered " + m1, "delivered " + m2, "delivered " + m3), WsTestClient.TIMEOUT);
            }

            Instant before = Instant.now().minusSeconds(1);
            b.send("mark_read", Map.of("message_id", m2));

            // marking m2 read marks every earlier message too (the seed, m1, m2), on both of alice's devices
            for (WsTestClient x : new WsTestClient[] {a1, a2, b}) { // the reader's connection hears of it too
                List<JsonNode> reads = x.awaitEach("message_status", d -> d.path("status").asText() + " "
                        + d.path("message_id").asText(), List.of("read " + seed, "read " + m1, "read " + m2),
                        WsTestClient.TIMEOUT);
                for (JsonNode e : reads) {
                    assertThat(e.path("data").path("user_id").asText()).isEqualTo(bob);
                    assertThat(Instant.parse(e.path("data").path("timestamp").asText())).isAfter(before);
                }
            }
            // m3 was not read; carol (neither author nor reader) hears nothing of it
            a1.assertNoEvent("message_status", 300);
            a2.assertNoEvent("message_status", 0);
            c.assertNoEvent("message_status", 0);

            assertThat(message(server, chat, alice, m1).path("status").asText()).isEqualTo("read");
            assertThat(message(server, chat, alice, m2).path("status").asText()).isEqualTo("read");
            assertThat(message(server, chat, carol, seed).path("status").asText()).isEqualTo("read");
            assertThat(message(server, chat, alice, m3).path("status").asText()).isNotEqualTo("read");
            // every kind of group commit is timed for the operators
            for (String kind : new String[] {"sends", "delivered", "receipts"}) {
                assertThat(WsSupport.metric(server, "speechbot_store_commit_seconds_count{kind=\"" + kind + "\"}"))
                        .as(kind).isPositive();
            }

            // reading again changes nothing and tells nobody
            b.send("mark_read", Map.of("message_id", m1));
            a1.assertNoEvent("message_status", 300);

            // carol reading m3 reaches alice; carol's own messages are not "read" by herself
            String c1 = send(c, "carol's");
            c.send("mark_read", Map.of("message_id", c1));
            a1.awaitEvent("message_status", status(m3, "read"), WsTestClient.TIMEOUT);
            a2.awaitEvent("message_status", status(m3, "read"), WsTestClient.TIMEOUT);
            assertThat(message(server, chat, alice, c1).path("status").asText()).isNotEqualTo("read");
            b.assertNoEvent("message_status", 200);
            c.awaitEvent("message_status", status(m3, "read"), WsTestClient.TIMEOUT); // carol as the reader
        }
    }

    @Test
    void sentWhileAnotherMemberIsConnectedIsDeliveredToTheAuthor() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        String seed = seed(server, chat, alice);
        try (WsTestClient a1 = live(server, chat, alice, seed);
             WsTestClient a2 = live(server, chat, alice, seed)) {
            // only alice's own devices are connected: not delivered to anybody else
            String alone = send(a1, "nobody else here");
            a2.awaitEvent("new_message", WsSupport.messageId(alone), WsTestClient.TIMEOUT);
            a1.assertNoEvent("message_status", 400);
            assertThat(message(server, chat, alice, alone).path("status").asText()).isEqualTo("sent");

            try (WsTestClient b = live(server, chat, bob, seed)) {
                String m = send(a1, "bob is here");
                b.awaitEvent("new_message", WsSupport.messageId(m), WsTestClient.TIMEOUT);
                for (WsTestClient a : new WsTestClient[] {a1, a2}) {
                    JsonNode d = a.awaitEvent("message_status", status(m, "delivered"), WsTestClient.TIMEOUT).path("data");
                    assertThat(d.path("timestamp").asText()).isNotBlank();
                }
                b.assertNoEvent("message_status", 200);
                assertThat(message(server, chat, bob, m).path("status").asText()).isEqualTo("delivered");

                // bob's message is delivered to alice (connected), and reported to bob only
                String fromBob = send(b, "hi alice");
                b.awaitEvent("message_status", status(fromBob, "delivered"), WsTestClient.TIMEOUT);
                a1.assertNoEvent("message_status", 200);
            }
        }
    }
}
