package com.speechbot.server.ws;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker13;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * The version 13 handshaker with a frame decoder that checks received close frames by RFC 6455 §7.4 itself. Netty's
 * own check lets codes from 5000 up through (which we would then echo, an invalid frame), and for the codes it does
 * refuse it drops the TCP connection without a close frame, because it has already marked the closing handshake as
 * received. Here a bad close frame is a {@link CorruptedWebSocketFrameException} carrying 1002 (bad code) or 1007 (bad
 * UTF-8 reason), which {@link WebSocketSession} answers with that close code.
 */
final class StrictHandshaker extends WebSocketServerHandshaker13 {

    StrictHandshaker(String webSocketUrl, WebSocketDecoderConfig config) {
        super(webSocketUrl, null, config);
    }

    @Override
    protected WebSocketFrameDecoder newWebsocketDecoder() {
        return new CloseCheckingDecoder(decoderConfig());
    }

    private static final class CloseCheckingDecoder extends WebSocket13FrameDecoder {

        CloseCheckingDecoder(WebSocketDecoderConfig config) {
            super(config);
        }

        /** A 1-byte payload never gets here: the decoder refuses it (1002) while reading the frame header. */
        @Override
        protected void checkCloseFrameBody(ChannelHandlerContext ctx, ByteBuf body) {
            if (body == null || !body.isReadable()) {
                return;
            }
            int code = body.getUnsignedShort(body.readerIndex());
            if (!CloseCodes.sendable(code)) {
                throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
                        "invalid close code " + code);
            }
            ByteBuffer reason = body.nioBuffer(body.readerIndex() + 2, body.readableBytes() - 2);
            try {
                // The JDK decoder refuses overlong forms, surrogates and code points past U+10FFFF, as §8.1 requires.
                StandardCharsets.UTF_8.newDecoder().decode(reason);
            } catch (CharacterCodingException e) {
                throw new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA,
                        "close reason is not UTF-8");
            }
        }
    }
}
