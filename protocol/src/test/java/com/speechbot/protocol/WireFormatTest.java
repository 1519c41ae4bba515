package com.speechbot.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void messageWritesEveryFieldInSnakeCaseWithUtcTimestamps() throws Exception {
        MessageView m = new MessageView("msg_1_2", "chat_1", "user", "hi", "hi", "text",
                Instant.parse("2025-07-15T14:44:30Z"), "sent", null, null, null, null, null, null, null, null, null);
        JsonNode json = Json.readTree(Json.writeBytes(m));
        assertThat(json.get("chat_id").asText()).isEqualTo("chat_1");
        assertThat(json.get("timestamp").asText()).isEqualTo("2025-07-15T14:44:30Z");
        for (String field : List.of("metadata", "thread_id", "reply_to", "edited_at", "deleted_at", "client_message_id")) {
            assertThat(json.has(field)).as(field).isTrue();
            assertThat(json.get(field).isNull()).as(field).isTrue();
        }
        assertThat(json.get("reactions").isArray()).isTrue();
        assertThat(json.get("attachments").isArray()).isTrue();
        assertThat(json.get("edit_history").isArray()).isTrue();
    }

    @Test
    void errorEnvelopeAlwaysCarriesDetails() throws Exception {
        JsonNode json = Json.readTree(Json.writeBytes(ErrorEnvelope.of("CHAT_NOT_FOUND", "Chat not found", null, null)));
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.has("details")).isTrue();
        assertThat(json.has("request_id")).isFalse();
    }

    @Test
    void successEnvelopeOmitsMissingMessage() throws Exception {
        JsonNode json = Json.readTree(Json.writeBytes(ApiResponse.ok(List.of())));
        assertThat(json.has("message")).isFalse();
        assertThat(json.get("success").asBoolean()).isTrue();
    }

    @Test
    void chunkEventUsesSpecFieldNames() throws Exception {
        JsonNode json = Json.readTree(Json.writeBytes(ServerEvent.chunk("msg_1_7", "Here's my ", 0, false)));
        assertThat(json.get("type").asText()).isEqualTo("bot_response_chunk");
        assertThat(json.at("/data/chunk_index").asInt()).isZero();
        assertThat(json.at("/data/is_complete").asBoolean()).isFalse();
        assertThat(json.at("/data/message_id").asText()).isEqualTo("msg_1_7");
    }

    @Test
    void emojiAreWrittenAsUtf8() {
        byte[] json = Json.writeBytes(new ReactionView("\uD83D\uDC4D", "u", null));
        assertThat(new String(json, java.nio.charset.StandardCharsets.UTF_8)).contains("\"emoji\":\"\uD83D\uDC4D\"");
    }

    @Test
    void idsRoundTripAndRejectMalformed() {
        assertThat(Ids.parseMessageId("msg_1684761234567_5")).isEqualTo(new Ids.MessageKey(1684761234567L, 5));
        assertThat(Ids.parseMessageId("msg_1_")).isNull();
        assertThat(Ids.parseMessageId("msg_x_1")).isNull();
        assertThat(Ids.parseMessageId("msg_1_0")).isNull();
        assertThat(Ids.parseChatId("chat_42")).hasValue(42);
        assertThat(Ids.parseChatId("chat_")).isEmpty();
        assertThat(Ids.parseChatId("chat_-1")).isEmpty();
        assertThat(Ids.parseChatId("99999999999999999999")).isEmpty();
    }
}
