package com.speechbot.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;

/**
 * Streams one {@code {"type":..., "data":{...}}} frame into an {@link InboundEvent} without building a tree: only
 * the handful of fields the scenarios need are read, everything else (metadata, reactions, ...) is skipped. Cheap
 * enough that the tool's event loops stay far from saturation at the rates we generate.
 */
final class EventParser {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[64 * 1024];
        }
    };

    private EventParser() {}

    /** Fills {@code into}; false when the frame is not a JSON object (counted as malformed by the caller). */
    static boolean parse(ByteBuf frame, InboundEvent into) {
        int len = frame.readableBytes();
        into.reset(len);
        byte[] bytes;
        int offset;
        if (frame.hasArray()) {
            bytes = frame.array();
            offset = frame.arrayOffset() + frame.readerIndex();
        } else {
            bytes = SCRATCH.get();
            if (bytes.length < len) {
                bytes = new byte[Math.max(len, bytes.length * 2)];
                SCRATCH.set(bytes);
            }
            frame.getBytes(frame.readerIndex(), bytes, 0, len);
            offset = 0;
        }
        try (JsonParser p = FACTORY.createParser(bytes, offset, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if ("type".equals(name) && t == JsonToken.VALUE_STRING) {
                    into.type = p.getText();
                } else if ("data".equals(name) && t == JsonToken.START_OBJECT) {
                    data(p, into);
                } else {
                    p.skipChildren();
                }
            }
            return into.type != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static void data(JsonParser p, InboundEvent e) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "message" -> {
                    if (t == JsonToken.START_OBJECT) {
                        message(p, e);
                    } else if (t == JsonToken.VALUE_STRING) {
                        e.errorMessage = p.getText(); // error events: data.message is the text
                    } else {
                        p.skipChildren();
                    }
                }
                case "message_id" -> e.messageId = text(p, t);
                case "user_id" -> e.userId = text(p, t);
                case "status" -> e.status = text(p, t);
                case "error_code" -> e.errorCode = text(p, t);
                case "client_message_id" -> e.clientMessageId = text(p, t);
                case "chunk" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        e.chunkChars = p.getTextLength();
                    }
                }
                case "chunk_index" -> e.chunkIndex = t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                case "is_complete" -> e.isComplete = t == JsonToken.VALUE_TRUE;
                case "is_typing" -> e.isTyping = t == JsonToken.VALUE_TRUE;
                default -> p.skipChildren();
            }
        }
    }

    private static void message(JsonParser p, InboundEvent e) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            switch (name) {
                case "id" -> e.messageId = text(p, t);
                case "content" -> e.content = text(p, t);
                case "role" -> e.role = text(p, t);
                case "client_message_id" -> e.clientMessageId = text(p, t);
                default -> p.skipChildren();
            }
        }
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }
}
