package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.messages;
import static com.speechbot.server.ws.WsSupport.ws;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad client input is answered with an error event and the connection stays usable; only oversized frames close it. */
class WsErrorsTest {

    private final TestServer server = TestServer.shared();
    private String alice;
    private String chat;

    @BeforeEach
    void chat() {
        alice = TestServer.newUser("alice");
        chat = createChat(server, alice);
    }

    private WsTestClient connect() {
        return WsTestClient.connect(ws(server, chat), server.token(alice));
    }

    private static JsonNode error(WsTestClient c) {
        return c.awaitEvent("error").path("data");
    }

    /** A valid event still works after the error: the connection was kept. */
    private static void stillWorks(WsTestClient c) {
        c.send("ping", Map.of());
        c.awaitEvent("pong");
        assertThat(c.isClosed()).isFalse();
    }

    @Test
    void malformedJsonIsInvalidJson() {
        try (WsTestClient c = connect()) {
            c.sendRaw("{\"type\": \"send_message\", \"data\": {");
            JsonNode e = error(c);
            assertThat(e.path("error_code").asText()).isEqualTo("INVALID_JSON");
            assertThat(e.path("message").asText()).isNotBlank();
            stillWorks(c);
            c.sendRaw("not json at all");
            assertThat(error(c).path("error_code").asText()).isEqualTo("INVALID_JSON");
            stillWorks(c);
        }
    }

    @Test
    void jsonThatIsNotAnEventIsInvalidEvent() {
        try (WsTestClient c = connect()) {
            for (String bad : new String[] {"[1,2]", "42", "\"send_message\"", "{\"data\": {}}", "{\"type\": 7}"}) {
                c.sendRaw(bad);
                assertThat(error(c).path("error_code").asText()).as(bad).isEqualTo("INVALID_EVENT");
            }
            c.sendRaw("{\"type\": \"typing\", \"data\": [true]}");
            assertThat(error(c).path("error_code").asText()).isEqualTo("INVALID_EVENT");
            stillWorks(c);
        }
    }

    @Test
    void unknownTypeIsUnknownEventType() {
        try (WsTestClient c = connect()) {
            c.send("launch_rockets", Map.of("now", true));
            JsonNode e = error(c);
            assertThat(e.path("error_code").asText()).isEqualTo("UNKNOWN_EVENT_TYPE");
            assertThat(e.path("message").asText()).contains("launch_rockets");
            stillWorks(c);
        }
    }

    @Test
    void missingFieldsAreNamedAndEchoTheClientMessageId() {
        try (WsTestClient c = connect()) {
            c.send("send_message", null);
            JsonNode noData = error(c);
            assertThat(noData.path("error_code").asText()).isEqualTo("MISSING_FIELD");
            assertThat(noData.path("client_message_id").isNull()).isTrue();

            c.send("send_message", Map.of("client_message_id", "temp_1"));
            JsonNode noContent = error(c);
            assertThat(noContent.path("error_code").asText()).isEqualTo("INVALID_MESSAGE_CONTENT");
            assertThat(noContent.path("client_message_id").asText()).isEqualTo("temp_1");

            c.send("send_message", Map.of("content", "   ", "client_message_id", "temp_2"));
            JsonNode blank = error(c);
            assertThat(blank.path("error_code").asText()).isEqualTo("INVALID_MESSAGE_CONTENT");
            assertThat(blank.path("client_message_id").asText()).isEqualTo("temp_2");

            c.send("send_message", Map.of("content", "hi", "content_type", "video", "client_message_id", "temp_3"));
            JsonNode badType = error(c);
            assertThat(badType.path("error_code").asText()).isEqualTo("INVALID_CONTENT_TYPE");
            assertThat(badType.path("client_message_id").asText()).isEqualTo("temp_3");

            c.send("typing", Map.of());
            assertThat(error(c).path("error_code").asText()).isEqualTo("MISSING_FIELD");
            c.send("typing", Map.of("is_typing", "yes"));
            assertThat(error(c).path("error_code").asText()).isEqualTo("MISSING_FIELD");
            c.send("mark_read", Map.of());
            assertThat(error(c).path("error_code").asText()).isEqualTo("MISSING_FIELD");
            c.send("mark_read", Map.of("message_id", "msg_1_1"));
            assertThat(error(c).path("error_code").asText()).isEqualTo("MESSAGE_NOT_FOUND");
            c.send("resume", Map.of());
            assertThat(error(c).path("error_code").asText()).isEqualTo("MISSING_FIELD");

            // nothing was stored, and a valid send still works
            c.sendMessage("valid after all that", "temp_4");
            JsonNode ok = c.awaitEvent("new_message").path("data").path("message");
            assertThat(ok.path("client_message_id").asText()).isEqualTo("temp_4");
            assertThat(messages(server, chat, alice)).hasSize(1);
        }
    }

    @Test
    void oversizedContentIsRefusedWithASpecificCode() {
        int max = server.server().config().limits().maxContentBytes();
        try (WsTestClient c = connect()) {
            c.sendMessage("x".repeat(max + 1), "too_big_1");
            JsonNode e = error(c);
            assertThat(e.path("error_code").asText()).isEqualTo("INVALID_MESSAGE_CONTENT");
            assertThat(e.path("message").asText()).containsIgnoringCase("maximum size");
            assertThat(e.path("client_message_id").asText()).isEqualTo("too_big_1");
            // exactly at the limit is fine (multi-byte characters count in UTF-8 bytes)
            c.sendMessage("é".repeat(max / 2), "at_limit");
            assertThat(c.awaitEvent("new_message").path("data").path("message").path("client_message_id").asText())
                    .isEqualTo("at_limit");
            c.sendMessage("é".repeat(max / 2) + "x", "over_by_one");
            assertThat(error(c).path("client_message_id").asText()).isEqualTo("over_by_one");
            stillWorks(c);
        }
    }

    @Test
    void binaryFramesAreRefusedButTheConnectionStays() {
        try (WsTestClient c = connect()) {
            c.sendBinary(new byte[] {1, 2, 3});
            assertThat(error(c).path("error_code").asText()).isEqualTo("BINARY_NOT_SUPPORTED");
            stillWorks(c);
        }
    }

    @Test
    void frameOverTheMaximumClosesWith1009() throws Exception {
        int maxFrame = server.server().config().websocket().maxFrameBytes();
        String path = "/v1/chats/" + chat + "/ws?token=" + server.token(alice);
        // refused from the frame header alone: the server does not wait for (or buffer) the payload
        try (WsTestClient.Raw raw = WsTestClient.Raw.open(server.port(), path, Map.of(), 0)) {
            assertThat(raw.answer.status()).isEqualTo(101);
            raw.writeFrame(true, 0x1, "{\"type\":".getBytes(), maxFrame + 1L);
            assertThat(raw.readUntilClosed(WsTestClient.TIMEOUT)).isEqualTo(1009);
        }
        // a message fragmented into frames that are each small enough is limited as a whole
        try (WsTestClient.Raw raw = WsTestClient.Raw.open(server.port(), path, Map.of(), 0)) {
            assertThat(raw.answer.status()).isEqualTo(101);
            byte[] part = "p".repeat(maxFrame / 2 + 1).getBytes();
            raw.sendFragments(part, part);
            assertThat(raw.readUntilClosed(WsTestClient.TIMEOUT)).isEqualTo(1009);
        }
        // and a real client sending one oversized frame sees 1009
        try (WsTestClient c = connect()) {
            c.sendRaw("{\"type\":\"ping\",\"data\":{\"pad\":\"" + "p".repeat(maxFrame) + "\"}}");
            assertThat(c.awaitClose()).isEqualTo(1009);
        }
    }

    @Test
    void cancelGenerationWithoutAnAnswerInProgressIsAnError() {
        try (WsTestClient c = connect()) {
            c.send("cancel_generation", Map.of());
            assertThat(error(c).path("error_code").asText()).isEqualTo("INVALID_EVENT");
            stillWorks(c);
        }
    }
}
