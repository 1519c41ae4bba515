package com.speechbot.server.ws;

import static com.speechbot.server.ws.RawWsClient.BINARY;
import static com.speechbot.server.ws.RawWsClient.CLOSE;
import static com.speechbot.server.ws.RawWsClient.CONTINUATION;
import static com.speechbot.server.ws.RawWsClient.PING;
import static com.speechbot.server.ws.RawWsClient.PONG;
import static com.speechbot.server.ws.RawWsClient.TEXT;
import static com.speechbot.server.ws.WsSupport.createChat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 6455 conformance, case by case after the Autobahn TestSuite's fuzzing-client groups (the suite itself cannot be
 * run here; its case list is the checklist and the numbers are in the test names). Raw frames go over a real socket to
 * the real server. Where Autobahn expects an echo server, the application's own answer stands in: a text message is a
 * JSON event, so "the message was accepted" is the {@code pong} event answering a {@code ping} event, and binary
 * messages are answered with a {@code BINARY_NOT_SUPPORTED} error event. "Fail the connection" means: a close frame
 * with the stated code, then the server ends the TCP connection.
 */
class WsRfc6455ConformanceTest {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final String PING_EVENT = "{\"type\":\"ping\",\"data\":{}}";

    private final TestServer server = TestServer.shared();
    private String path;

    @BeforeEach
    void chat() {
        String alice = TestServer.newUser("alice");
        path = "/v1/chats/" + createChat(server, alice) + "/ws?token=" + server.token(alice);
    }

    private RawWsClient connect() {
        return RawWsClient.connect(server.port(), path);
    }

    /** The server failed the connection: a close frame with {@code code}, then the end of the TCP connection. */
    private static void assertFailed(RawWsClient c, int code) {
        RawWsClient.Frame close = c.awaitCloseFrame();
        assertThat(close.closeCode()).as(close.toString()).isEqualTo(code);
        assertValidServerFrame(close);
        assertThat(c.tcpClosed(CLOSE_TIMEOUT)).as("TCP closed after the close frame").isTrue();
    }

    /** A clean close handshake: the server answers our close with {@code code} and then ends the TCP connection. */
    private static void assertClosedWith(RawWsClient c, int code) {
        RawWsClient.Frame close = c.next();
        assertThat(close.opcode()).as(close.toString()).isEqualTo(CLOSE);
        assertThat(close.closeCode()).as(close.toString()).isEqualTo(code);
        assertValidServerFrame(close);
        assertThat(c.tcpClosed(CLOSE_TIMEOUT)).as("TCP closed after the close handshake").isTrue();
    }

    /** Server frames are unmasked, without RSV bits, and control frames are final and at most 125 bytes. */
    private static void assertValidServerFrame(RawWsClient.Frame f) {
        assertThat(f.masked()).as("server frames are not masked").isFalse();
        assertThat(f.rsv()).as("no extension: RSV bits clear").isZero();
        if (f.opcode() >= CLOSE) {
            assertThat(f.fin()).isTrue();
            assertThat(f.payload().length).isLessThanOrEqualTo(125);
        }
    }

    /** The next frame is the pong event answering a ping event (nothing else came in between). */
    private static void assertPongEvent(RawWsClient c) {
        RawWsClient.Frame f = c.next();
        assertThat(f.opcode()).as(f.toString()).isEqualTo(TEXT);
        assertValidServerFrame(f);
        assertThat(f.json().path("type").asText()).as(f.toString()).isEqualTo("pong");
    }

    /** The next frame is an error event with one of {@code codes}. */
    private static void assertErrorEvent(RawWsClient c, String... codes) {
        RawWsClient.Frame f = c.next();
        assertThat(f.opcode()).as(f.toString()).isEqualTo(TEXT);
        assertThat(f.json().path("type").asText()).as(f.toString()).isEqualTo("error");
        assertThat(f.json().path("data").path("error_code").asText()).isIn((Object[]) codes);
    }

    private static void assertPong(RawWsClient c, byte[] payload) {
        RawWsClient.Frame f = c.next();
        assertThat(f.opcode()).as(f.toString()).isEqualTo(PONG);
        assertValidServerFrame(f);
        assertThat(f.payload()).isEqualTo(payload);
    }

    /** A ping event padded with spaces to exactly {@code length} bytes (JSON allows trailing whitespace). */
    private static byte[] pingEvent(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) ' ');
        byte[] event = PING_EVENT.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(event, 0, b, 0, event.length);
        return b;
    }

    /** A ping event whose data carries {@code raw} bytes inside a JSON string. */
    private static byte[] pingEventWith(byte[] raw) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("{\"type\":\"ping\",\"data\":{\"x\":\"".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(raw);
        b.writeBytes("\"}}".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    private static byte[] bytes(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static byte[][] split(byte[] b, int parts) {
        byte[][] out = new byte[parts][];
        int step = (b.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            out[i] = Arrays.copyOfRange(b, Math.min(b.length, i * step), Math.min(b.length, (i + 1) * step));
        }
        return out;
    }

    /** Writes {@code message} as a text message of fragments of {@code size} bytes. */
    private static void sendFragmented(RawWsClient c, int opcode, byte[] message, int size) {
        for (int off = 0; off < message.length; off += size) {
            int end = Math.min(message.length, off + size);
            c.write(end == message.length, 0, off == 0 ? opcode : CONTINUATION, Arrays.copyOfRange(message, off, end));
        }
    }

    // ---- 1 framing ----------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("1 Framing")
    class Framing {

        @Test
        @DisplayName("1.1.1 / 6.1.1 empty text message: an error event, the connection stays")
        void case1_1_1_emptyText() {
            try (RawWsClient c = connect()) {
                c.send(TEXT, new byte[0]);
                assertErrorEvent(c, "INVALID_JSON", "INVALID_EVENT");
                c.sendPingEvent();
                assertPongEvent(c);
            }
        }

        @ParameterizedTest(name = "1.1.2-1.1.7 text message of {0} bytes")
        @ValueSource(ints = {125, 126, 127, 128, 65535, 65536})
        void case1_1_textMessageLengths(int length) {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEvent(length));
                assertPongEvent(c);
            }
        }

        @Test
        @DisplayName("1.1.8 text message of 65536 bytes written in 997-byte chops")
        void case1_1_8_textChopped() {
            try (RawWsClient c = connect()) {
                c.writeChopped(true, 0, TEXT, pingEvent(65536), 997);
                assertPongEvent(c);
            }
        }

        @ParameterizedTest(name = "1.2.1-1.2.8 binary message of {0} bytes: BINARY_NOT_SUPPORTED, the connection stays")
        @ValueSource(ints = {0, 125, 126, 127, 128, 65535, 65536})
        void case1_2_binaryMessageLengths(int length) {
            try (RawWsClient c = connect()) {
                c.send(BINARY, bytes(length));
                assertErrorEvent(c, "BINARY_NOT_SUPPORTED");
                c.sendPingEvent();
                assertPongEvent(c);
            }
        }
    }

    // ---- 2 pings and pongs --------------------------------------------------------------------------------------

    @Nested
    @DisplayName("2 Pings/Pongs")
    class PingsAndPongs {

        @Test
        @DisplayName("2.1 ping without payload: pong without payload")
        void case2_1() {
            try (RawWsClient c = connect()) {
                c.send(PING, new byte[0]);
                assertPong(c, new byte[0]);
            }
        }

        @Test
        @DisplayName("2.2 / 2.3 ping with text and binary payloads: pongs echo them")
        void case2_2_and_2_3() {
            try (RawWsClient c = connect()) {
                byte[] text = "Hello, world!".getBytes(StandardCharsets.UTF_8);
                c.send(PING, text);
                assertPong(c, text);
                byte[] binary = hex("00 ff fe fd fc fb 00 ff");
                c.send(PING, binary);
                assertPong(c, binary);
            }
        }

        @Test
        @DisplayName("2.4 ping with 125 bytes: pong echoes them")
        void case2_4() {
            try (RawWsClient c = connect()) {
                c.send(PING, bytes(125));
                assertPong(c, bytes(125));
            }
        }

        @Test
        @DisplayName("2.5 ping with 126 bytes (control frames carry at most 125): fail with 1002")
        void case2_5() {
            try (RawWsClient c = connect()) {
                c.send(PING, bytes(126));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("2.6 ping with 125 bytes written one byte at a time")
        void case2_6() {
            try (RawWsClient c = connect()) {
                c.writeChopped(true, 0, PING, bytes(125), 1);
                assertPong(c, bytes(125));
            }
        }

        @Test
        @DisplayName("2.7 / 2.8 unsolicited pongs are ignored")
        void case2_7_and_2_8() {
            try (RawWsClient c = connect()) {
                c.send(PONG, new byte[0]);
                c.send(PONG, "unsolicited".getBytes(StandardCharsets.UTF_8));
                c.sendPingEvent();
                assertPongEvent(c);
            }
        }

        @Test
        @DisplayName("2.9 unsolicited pong, then ping: one pong, for the ping")
        void case2_9() {
            try (RawWsClient c = connect()) {
                c.send(PONG, "unsolicited".getBytes(StandardCharsets.UTF_8));
                byte[] payload = "ping payload".getBytes(StandardCharsets.UTF_8);
                c.send(PING, payload);
                assertPong(c, payload);
            }
        }

        @Test
        @DisplayName("2.10 / 2.11 ten pings (whole and chopped): ten pongs, in order")
        void case2_10_and_2_11() {
            try (RawWsClient c = connect()) {
                for (int i = 0; i < 10; i++) {
                    c.send(PING, ("payload-" + i).getBytes(StandardCharsets.UTF_8));
                }
                for (int i = 0; i < 10; i++) {
                    c.writeChopped(true, 0, PING, ("chopped-" + i).getBytes(StandardCharsets.UTF_8), 1);
                }
                for (int i = 0; i < 10; i++) {
                    assertPong(c, ("payload-" + i).getBytes(StandardCharsets.UTF_8));
                }
                for (int i = 0; i < 10; i++) {
                    assertPong(c, ("chopped-" + i).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    // ---- 3 reserved bits ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("3 Reserved Bits (no extension is negotiated)")
    class ReservedBits {

        @Test
        @DisplayName("3.1 text with RSV = 1: fail with 1002")
        void case3_1() {
            try (RawWsClient c = connect()) {
                c.write(true, 4, TEXT, PING_EVENT.getBytes(StandardCharsets.UTF_8));
                assertFailed(c, 1002);
            }
        }

        @ParameterizedTest(name = "3.2-3.4 valid text, then text with RSV = {0}, then ping: the first answered, then 1002")
        @ValueSource(ints = {2, 3, 4})
        void case3_2_to_3_4(int rsv) {
            try (RawWsClient c = connect()) {
                c.sendPingEvent();
                c.write(true, rsv, TEXT, PING_EVENT.getBytes(StandardCharsets.UTF_8));
                c.send(PING, new byte[0]);
                assertPongEvent(c);
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("3.5 binary with RSV = 5: fail with 1002")
        void case3_5() {
            try (RawWsClient c = connect()) {
                c.write(true, 5, BINARY, bytes(8));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("3.6 ping with RSV = 6: fail with 1002")
        void case3_6() {
            try (RawWsClient c = connect()) {
                c.write(true, 6, PING, bytes(8));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("3.7 close with RSV = 7: fail with 1002")
        void case3_7() {
            try (RawWsClient c = connect()) {
                c.write(true, 7, CLOSE, hex("03e8"));
                assertFailed(c, 1002);
            }
        }
    }

    // ---- 4 opcodes ----------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("4 Opcodes")
    class Opcodes {

        @ParameterizedTest(name = "4.1.1-4.1.5 / 4.2.1-4.2.5 reserved opcode {0}: fail with 1002")
        @ValueSource(ints = {3, 4, 5, 6, 7, 11, 12, 13, 14, 15})
        void case4_reservedOpcode(int opcode) {
            try (RawWsClient c = connect()) {
                c.write(true, 0, opcode, opcode % 2 == 0 ? bytes(8) : new byte[0]);
                assertFailed(c, 1002);
            }
        }

        @ParameterizedTest(name = "4.1.3 / 4.2.3 valid text, reserved opcode {0}, ping: the first answered, then 1002")
        @ValueSource(ints = {5, 13})
        void case4_x_3_afterAValidMessage(int opcode) {
            try (RawWsClient c = connect()) {
                c.sendPingEvent();
                c.write(true, 0, opcode, new byte[0]);
                c.send(PING, new byte[0]);
                assertPongEvent(c);
                assertFailed(c, 1002);
            }
        }
    }

    // ---- 5 fragmentation ----------------------------------------------------------------------------------------

    @Nested
    @DisplayName("5 Fragmentation")
    class Fragmentation {

        @Test
        @DisplayName("5.1 ping in two fragments: fail with 1002")
        void case5_1() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, PING, bytes(4));
                c.write(true, 0, CONTINUATION, bytes(4));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.2 pong in two fragments: fail with 1002")
        void case5_2() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, PONG, bytes(4));
                c.write(true, 0, CONTINUATION, bytes(4));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.3 / 5.4 / 5.5 text message in two fragments, whole and chopped")
        void case5_3_to_5_5() {
            try (RawWsClient c = connect()) {
                byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 2);
                c.write(false, 0, TEXT, parts[0]);
                c.write(true, 0, CONTINUATION, parts[1]);
                assertPongEvent(c);
                c.writeChopped(false, 0, TEXT, parts[0], 1);
                c.writeChopped(true, 0, CONTINUATION, parts[1], 1);
                assertPongEvent(c);
            }
        }

        @Test
        @DisplayName("5.6 / 5.7 / 5.8 text message in two fragments with a ping between: the pong first, then the message")
        void case5_6_to_5_8() {
            try (RawWsClient c = connect()) {
                byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 2);
                byte[] payload = "between".getBytes(StandardCharsets.UTF_8);
                c.write(false, 0, TEXT, parts[0]);
                c.send(PING, payload);
                c.write(true, 0, CONTINUATION, parts[1]);
                assertPong(c, payload);
                assertPongEvent(c);
                c.writeChopped(false, 0, TEXT, parts[0], 1);
                c.writeChopped(true, 0, PING, payload, 1);
                c.writeChopped(true, 0, CONTINUATION, parts[1], 1);
                assertPong(c, payload);
                assertPongEvent(c);
            }
        }

        @ParameterizedTest(name = "5.9-5.14 continuation (fin = {0}) with nothing to continue: fail with 1002")
        @ValueSource(booleans = {true, false})
        void case5_9_to_5_14(boolean fin) {
            try (RawWsClient c = connect()) {
                c.write(fin, 0, CONTINUATION, PING_EVENT.getBytes(StandardCharsets.UTF_8));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.15 a complete fragmented message, then a continuation fragment out of place: 1002 after the first")
        void case5_15() {
            try (RawWsClient c = connect()) {
                byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 2);
                c.write(false, 0, TEXT, parts[0]);
                c.write(true, 0, CONTINUATION, parts[1]);
                c.write(false, 0, CONTINUATION, parts[0]);
                c.write(true, 0, TEXT, parts[1]);
                assertPongEvent(c);
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.16 / 5.17 a message starting with a continuation: fail with 1002")
        void case5_16_and_5_17() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, CONTINUATION, bytes(4));
                c.write(false, 0, TEXT, bytes(4));
                c.write(true, 0, CONTINUATION, bytes(4));
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.18 a text frame where a continuation belongs: fail with 1002")
        void case5_18() {
            try (RawWsClient c = connect()) {
                byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 2);
                c.write(false, 0, TEXT, parts[0]);
                c.write(true, 0, TEXT, parts[1]);
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("5.19 / 5.20 five fragments with pings after the first and the fourth, whole and chopped")
        void case5_19_and_5_20() {
            try (RawWsClient c = connect()) {
                for (int chop : new int[] {0, 1}) {
                    byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 5);
                    for (int i = 0; i < 5; i++) {
                        boolean last = i == 4;
                        int opcode = i == 0 ? TEXT : CONTINUATION;
                        if (chop == 0) {
                            c.write(last, 0, opcode, parts[i]);
                        } else {
                            c.writeChopped(last, 0, opcode, parts[i], 1);
                        }
                        if (i == 0 || i == 3) {
                            c.send(PING, ("pong for " + i).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    assertPong(c, "pong for 0".getBytes(StandardCharsets.UTF_8));
                    assertPong(c, "pong for 3".getBytes(StandardCharsets.UTF_8));
                    assertPongEvent(c);
                }
            }
        }
    }

    // ---- 6 UTF-8 handling ---------------------------------------------------------------------------------------

    @Nested
    @DisplayName("6 UTF-8 Handling")
    class Utf8 {

        private static final String VALID = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 🎉";

        /** The server decoded the text intact: the content comes back in the sender's own new_message. */
        private void assertContentRoundTrips(RawWsClient c, String content) {
            JsonNode message = c.awaitEvent("new_message").path("data").path("message");
            assertThat(message.path("content").asText()).isEqualTo(content);
        }

        private byte[] sendMessageEvent(String content) {
            return ("{\"type\":\"send_message\",\"data\":{\"content\":\"" + content + "\"}}").getBytes(StandardCharsets.UTF_8);
        }

        @Test
        @DisplayName("6.1.2 / 6.1.3 empty fragments: one empty message, an error event, the connection stays")
        void case6_1_2() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, TEXT, new byte[0]);
                c.write(false, 0, CONTINUATION, new byte[0]);
                c.write(true, 0, CONTINUATION, new byte[0]);
                assertErrorEvent(c, "INVALID_JSON", "INVALID_EVENT");
                c.sendPingEvent();
                assertPongEvent(c);
            }
        }

        @Test
        @DisplayName("6.2.1-6.2.4 valid UTF-8 whole, in fragments, and one octet per fragment (code points split)")
        void case6_2() {
            try (RawWsClient c = connect()) {
                c.send(TEXT, sendMessageEvent(VALID + " whole"));
                assertContentRoundTrips(c, VALID + " whole");
                sendFragmented(c, TEXT, sendMessageEvent(VALID + " halves"), 40);
                assertContentRoundTrips(c, VALID + " halves");
                sendFragmented(c, TEXT, sendMessageEvent(VALID + " octets"), 1);
                assertContentRoundTrips(c, VALID + " octets");
            }
        }

        @ParameterizedTest(name = "6.5 / 6.7 / 6.9 / 6.22 valid sequence {0}: accepted")
        @ValueSource(strings = {
                "ce ba e1 bd b9 cf 83 ce bc ce b5", // 6.5.1 κόσμε
                "c2 80", "e0 a0 80", "f0 90 80 80", // 6.7.2-6.7.4 first possible sequences of each length
                "7f", "df bf", "ef bf bf", "f4 8f bf bf", // 6.9.1-6.9.4 last possible sequences
                "ef bf be", "f4 8f bf be"}) // 6.22 non-characters are valid UTF-8
        void case6_validSequences(String sequence) {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEventWith(hex(sequence)));
                assertPongEvent(c);
            }
        }

        @ParameterizedTest(name = "6.3 / 6.8 / 6.10-6.21 invalid sequence {0}: fail with 1007")
        @ValueSource(strings = {
                "ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64", // 6.3.1 κόσμε with a surrogate
                "f8 88 80 80 80", "fc 84 80 80 80 80", // 6.8.1-6.8.2 five and six octet sequences
                "f4 90 80 80", // 6.11.5 beyond U+10FFFF
                "80", "bf", "80 bf 80", // 6.12 unexpected continuation bytes
                "c0 20", "e0 80 20", "f0 80 80 20", // 6.14 sequences cut short
                "fe", "ff", // 6.15 impossible bytes
                "c0 af", "e0 80 af", "f0 80 80 af", // 6.17 overlong '/'
                "c1 bf", "e0 9f bf", "f0 8f bf bf", // 6.18 maximum overlong sequences
                "c0 80", // 6.19 overlong NUL
                "ed a0 80", "ed bf bf", // 6.20 single UTF-16 surrogates
                "ed a0 80 ed b0 80"}) // 6.21 paired UTF-16 surrogates
        void case6_invalidSequences(String sequence) {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEventWith(hex(sequence)));
                assertFailed(c, 1007);
            }
        }

        @Test
        @DisplayName("6.3.2 invalid UTF-8 sent one octet per fragment: fail with 1007")
        void case6_3_2() {
            try (RawWsClient c = connect()) {
                sendFragmented(c, TEXT, pingEventWith(hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64")), 1);
                assertFailed(c, 1007);
            }
        }

        @Test
        @DisplayName("6.4.1 fail fast: invalid UTF-8 in the first fragment fails before the message is complete")
        void case6_4_1() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, TEXT, hex("ce ba e1 bd b9 cf 83 ce bc ce b5"));
                c.write(false, 0, CONTINUATION, hex("f4 90 80 80"));
                // the final fragment never comes
                assertFailed(c, 1007);
            }
        }

        @Test
        @DisplayName("6.4.2 fail fast: a code point split across fragments that turns out invalid")
        void case6_4_2() {
            try (RawWsClient c = connect()) {
                c.write(false, 0, TEXT, hex("ce ba e1 bd b9 cf 83 ce bc ce b5 f4"));
                c.write(false, 0, CONTINUATION, hex("90"));
                assertFailed(c, 1007);
            }
        }
    }

    // ---- 7 close handling ---------------------------------------------------------------------------------------

    @Nested
    @DisplayName("7 Close Handling")
    class CloseHandling {

        @Test
        @DisplayName("7.1.1 close 1000: echoed, then the server ends TCP")
        void case7_1_1() {
            try (RawWsClient c = connect()) {
                c.sendClose(1000, new byte[0]);
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.1.2-7.1.4 a second close, a ping and a text after the close are ignored")
        void case7_1_2_to_7_1_4() {
            try (RawWsClient c = connect()) {
                c.sendClose(1000, new byte[0]);
                c.sendClose(1000, new byte[0]);
                c.send(PING, bytes(4));
                c.sendPingEvent();
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.1.5 a close inside a fragmented message: echoed, the message is dropped")
        void case7_1_5() {
            try (RawWsClient c = connect()) {
                byte[][] parts = split(PING_EVENT.getBytes(StandardCharsets.UTF_8), 2);
                c.write(false, 0, TEXT, parts[0]);
                c.sendClose(1000, new byte[0]);
                c.write(true, 0, CONTINUATION, parts[1]);
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.1.6 a large message, a close, a ping: the message is answered, then the close")
        void case7_1_6() {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEvent(256 * 1024));
                c.sendClose(1000, new byte[0]);
                c.send(PING, bytes(4));
                assertPongEvent(c);
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.3.1 close without payload: answered with 1000 (1005 never goes on the wire)")
        void case7_3_1() {
            try (RawWsClient c = connect()) {
                c.send(CLOSE, new byte[0]);
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.3.2 close with a 1-byte payload: fail with 1002")
        void case7_3_2() {
            try (RawWsClient c = connect()) {
                c.send(CLOSE, hex("03"));
                assertFailed(c, 1002);
            }
        }

        @ParameterizedTest(name = "7.3.3-7.3.5 close 1000 with a {0}-byte reason: echoed")
        @ValueSource(ints = {0, 12, 123})
        void case7_3_3_to_7_3_5(int reasonLength) {
            try (RawWsClient c = connect()) {
                byte[] reason = new byte[reasonLength];
                Arrays.fill(reason, (byte) '*');
                c.sendClose(1000, reason);
                assertClosedWith(c, 1000);
            }
        }

        @Test
        @DisplayName("7.3.6 close with a 124-byte reason (payload over 125): fail with 1002")
        void case7_3_6() {
            try (RawWsClient c = connect()) {
                byte[] reason = new byte[124];
                Arrays.fill(reason, (byte) '*');
                c.sendClose(1000, reason);
                assertFailed(c, 1002);
            }
        }

        @Test
        @DisplayName("7.5.1 close with a reason that is not UTF-8: fail with 1007")
        void case7_5_1() {
            try (RawWsClient c = connect()) {
                c.sendClose(1000, hex("ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80 65 64 69 74 65 64"));
                assertFailed(c, 1007);
            }
        }

        @ParameterizedTest(name = "7.7 valid close code {0}: echoed")
        @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
        void case7_7_validCodesAreEchoed(int code) {
            try (RawWsClient c = connect()) {
                c.sendClose(code, "bye".getBytes(StandardCharsets.UTF_8));
                assertClosedWith(c, code);
            }
        }

        @ParameterizedTest(name = "7.9 / 7.13 close code {0} that must not be sent: fail with 1002")
        @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        void case7_9_and_7_13_invalidCodes(int code) {
            try (RawWsClient c = connect()) {
                c.sendClose(code, new byte[0]);
                assertFailed(c, 1002);
            }
        }
    }

    // ---- 9 limits -----------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("9 Limits and Performance (within websocket.max_frame_bytes = 1 MiB)")
    class Limits {

        private static final int MAX = 1024 * 1024;

        @ParameterizedTest(name = "9.1.1-9.1.3 text message of {0} bytes in one frame")
        @ValueSource(ints = {64 * 1024, 256 * 1024, MAX})
        void case9_1(int length) {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEvent(length));
                assertPongEvent(c);
            }
        }

        @ParameterizedTest(name = "9.2.1-9.2.3 binary message of {0} bytes: BINARY_NOT_SUPPORTED")
        @ValueSource(ints = {64 * 1024, 256 * 1024, MAX})
        void case9_2(int length) {
            try (RawWsClient c = connect()) {
                c.send(BINARY, bytes(length));
                assertErrorEvent(c, "BINARY_NOT_SUPPORTED");
            }
        }

        @ParameterizedTest(name = "9.3 / 9.4 a 1 MiB message in fragments of {0} bytes")
        @ValueSource(ints = {64, 256, 1024, 4096, 16384, 65536, 262144})
        void case9_3_and_9_4(int fragment) {
            try (RawWsClient c = connect()) {
                sendFragmented(c, TEXT, pingEvent(MAX), fragment);
                assertPongEvent(c);
                sendFragmented(c, BINARY, bytes(MAX), fragment);
                assertErrorEvent(c, "BINARY_NOT_SUPPORTED");
            }
        }

        @ParameterizedTest(name = "9.5 / 9.6 a 1 MiB message written in chops of {0} bytes")
        @ValueSource(ints = {64, 128, 256, 512, 1024, 2048})
        void case9_5_and_9_6(int chop) {
            try (RawWsClient c = connect()) {
                c.writeChopped(true, 0, TEXT, pingEvent(MAX), chop);
                assertPongEvent(c);
                c.writeChopped(true, 0, BINARY, bytes(MAX), chop);
                assertErrorEvent(c, "BINARY_NOT_SUPPORTED");
            }
        }

        @Test
        @DisplayName("9.x beyond the maximum, in one frame or in fragments: fail with 1009")
        void beyondTheMaximum() {
            try (RawWsClient c = connect()) {
                c.send(TEXT, pingEvent(MAX + 1));
                assertFailed(c, 1009);
            }
            try (RawWsClient c = connect()) {
                sendFragmented(c, TEXT, pingEvent(MAX + 1), 65536);
                assertFailed(c, 1009);
            }
        }
    }
}
