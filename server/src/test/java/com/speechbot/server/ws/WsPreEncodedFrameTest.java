package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.TestServer;
import com.speechbot.server.hub.OutboundEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.io.ByteArrayOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #14's invariant: a broadcast event is encoded once into a complete frame ({@link OutboundEvent}) and written as
 * bytes that pass the WebSocket encoder untouched. That is only right while no extension is negotiated — with
 * permessage-deflate, for one, frames would have to be compressed per connection. These tests fail if either half
 * changes: the server starts accepting an extension, or the hand-made frame stops being what Netty's encoder writes.
 */
class WsPreEncodedFrameTest {

    private final TestServer server = TestServer.shared();

    @Test
    void offeredExtensionsAreDeclinedAndBroadcastFramesArePlainText() {
        String alice = TestServer.newUser("alice");
        String bob = TestServer.newUser("bob");
        String chat = createChat(server, alice, bob);
        Map<String, String> offer = Map.of("Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits, x-webkit-deflate-frame");
        try (RawWsClient a = RawWsClient.connect(server.port(), "/v1/chats/" + chat + "/ws?token=" + server.token(alice), offer);
             RawWsClient b = RawWsClient.connect(server.port(), "/v1/chats/" + chat + "/ws?token=" + server.token(bob), offer)) {
            assertThat(a.answer().header("sec-websocket-extensions")).as("no extension negotiated").isNull();
            assertThat(b.answer().header("sec-websocket-extensions")).isNull();
            // both connections are subscribed once each answered a round trip
            a.sendPingEvent();
            a.awaitEvent("pong");
            b.sendPingEvent();
            b.awaitEvent("pong");

            a.sendText("{\"type\":\"send_message\",\"data\":{\"content\":\"plain frames\"}}");
            RawWsClient.Frame toAlice = awaitNewMessage(a);
            RawWsClient.Frame toBob = awaitNewMessage(b);
            for (RawWsClient.Frame f : new RawWsClient.Frame[] {toAlice, toBob}) {
                assertThat(f.fin()).isTrue();
                assertThat(f.rsv()).as("RSV1 would mean compressed").isZero();
                assertThat(f.masked()).isFalse();
                assertThat(f.json().path("data").path("message").path("content").asText()).isEqualTo("plain frames");
            }
            assertThat(toBob.payload()).as("one encoding shared by every recipient").isEqualTo(toAlice.payload());
        }
    }

    private static RawWsClient.Frame awaitNewMessage(RawWsClient c) {
        while (true) {
            RawWsClient.Frame f = c.next();
            assertThat(f.opcode()).as(f.toString()).isEqualTo(RawWsClient.TEXT);
            JsonNode e = f.json();
            if ("new_message".equals(e.path("type").asText())) {
                return f;
            }
        }
    }

    /** Payload lengths at the frame header's boundaries: 7-bit, 16-bit and 64-bit length encodings. */
    @ParameterizedTest(name = "a {0}-byte payload")
    @ValueSource(ints = {100, 125, 126, 127, 65535, 65536, 70000})
    void theHandMadeFrameIsWhatTheEncoderWritesAndPassesItUntouched(int payloadLength) {
        ServerEvent event = eventOfLength(payloadLength);
        byte[] json = Json.writeBytes(event);
        assertThat(json).hasSize(payloadLength);

        OutboundEvent pre = OutboundEvent.encode(ByteBufAllocator.DEFAULT, event, OutboundEvent.Kind.ESSENTIAL, 0);
        try {
            EmbeddedChannel encoder = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
            encoder.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(json)));
            byte[] byNetty = drain(encoder);
            encoder.writeOutbound(pre.frameForWrite());
            byte[] passedThrough = drain(encoder);
            encoder.finishAndReleaseAll();

            ByteBuf frame = pre.frameForWrite();
            byte[] handMade = ByteBufUtil.getBytes(frame);
            frame.release();
            assertThat(handMade).as("OutboundEvent's frame equals the encoder's").isEqualTo(byNetty);
            assertThat(passedThrough).as("the encoder passes the pre-encoded bytes untouched").isEqualTo(handMade);
        } finally {
            pre.release();
        }
    }

    private static ServerEvent eventOfLength(int length) {
        int base = Json.writeBytes(ServerEvent.error("E", "", null)).length;
        return ServerEvent.error("E", "a".repeat(length - base), null);
    }

    private static byte[] drain(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            try {
                out.writeBytes(ByteBufUtil.getBytes(b));
            } finally {
                b.release();
            }
        }
        return out.toByteArray();
    }
}
