package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventParserTest {

    private static InboundEvent parse(String json, boolean direct) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = direct ? Unpooled.directBuffer(bytes.length).writeBytes(bytes) : Unpooled.wrappedBuffer(bytes);
        InboundEvent e = new InboundEvent();
        try {
            assertThat(EventParser.parse(buf, e)).as(json).isTrue();
        } finally {
            buf.release();
        }
        return e;
    }

    @Test
    void newMessageOfOurServerSkipsNestedMetadata() {
        String json = "{\"type\":\"new_message\",\"data\":{\"message\":{\"id\":\"msg_3_9\",\"chat_id\":\"chat_3\","
                + "\"role\":\"user\",\"content\":\"t:1:2:3\",\"metadata\":{\"content\":\"nested\",\"a\":[1,{\"id\":\"x\"}]},"
                + "\"reactions\":[],\"client_message_id\":\"c-1\",\"status\":\"sent\"}}}";
        for (boolean direct : new boolean[] {false, true}) {
            InboundEvent e = parse(json, direct);
            assertThat(e.type).isEqualTo("new_message");
            assertThat(e.messageId).isEqualTo("msg_3_9");
            assertThat(e.content).isEqualTo("t:1:2:3");
            assertThat(e.role).isEqualTo("user");
            assertThat(e.clientMessageId).isEqualTo("c-1");
            assertThat(e.status).isNull(); // message.status is not the message_status event's field
        }
    }

    @Test
    void dataBeforeTypeAndStatusFields() {
        InboundEvent e = parse("{\"data\":{\"message_id\":\"msg_1\",\"status\":\"read\",\"timestamp\":\"x\","
                + "\"user_id\":\"u2\"},\"type\":\"message_status\"}", false);
        assertThat(e.type).isEqualTo("message_status");
        assertThat(e.messageId).isEqualTo("msg_1");
        assertThat(e.status).isEqualTo("read");
        assertThat(e.userId).isEqualTo("u2");
    }

    @Test
    void chunksTypingAndErrors() {
        InboundEvent c = parse("{\"type\":\"bot_response_chunk\",\"data\":{\"message_id\":\"m\",\"chunk\":\"Hello \","
                + "\"chunk_index\":4,\"is_complete\":true}}", true);
        assertThat(c.chunkIndex).isEqualTo(4);
        assertThat(c.chunkChars).isEqualTo(6);
        assertThat(c.isComplete).isTrue();
        InboundEvent t = parse("{\"type\":\"typing_indicator\",\"data\":{\"user_id\":\"u\",\"is_typing\":true,\"typing_text\":\"u is typing...\"}}", false);
        assertThat(t.isTyping).isTrue();
        assertThat(t.userId).isEqualTo("u");
        InboundEvent err = parse("{\"type\":\"error\",\"data\":{\"error_code\":\"RATE_LIMITED\",\"message\":\"slow down\","
                + "\"client_message_id\":\"c-9\"}}", false);
        assertThat(err.errorCode).isEqualTo("RATE_LIMITED");
        assertThat(err.errorMessage).isEqualTo("slow down");
        assertThat(err.clientMessageId).isEqualTo("c-9");
    }

    @Test
    void notAnEvent() {
        InboundEvent e = new InboundEvent();
        for (String bad : new String[] {"[]", "{\"data\":{}}", "{not json", ""}) {
            ByteBuf buf = Unpooled.copiedBuffer(bad, StandardCharsets.UTF_8);
            assertThat(EventParser.parse(buf, e)).as(bad).isFalse();
            buf.release();
        }
    }
}
