package com.speechbot.server.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare socket that speaks RFC 6455 by hand: the upgrade is written as text, frames are written
 * byte by byte (masked, as a client must) with any FIN / RSV / opcode / length, so malformed frames can be sent, and
 * every frame the server sends is read back whole (header bits included) — what the Autobahn TestSuite's fuzzing
 * client does.
 */
final class RawWsClient implements AutoCloseable {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Returned by {@link #readFrame} when the server closed the TCP connection (or reset it). */
    static final Frame EOF = new Frame(true, 0, -1, false, new byte[0]);

    /** One frame as it came off the wire. */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return Json.readTree(payload);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text(), e);
            }
        }

        /** The close frame's status code; 1005 when it carries none. */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }

        @Override
        public String toString() {
            return this == EOF ? "EOF" : "Frame[fin=" + fin + " rsv=" + rsv + " opcode=" + opcode + " len=" + payload.length
                    + (opcode == TEXT ? " " + abbreviate(text()) : opcode == CLOSE ? " " + closeCode() + " " + closeReason() : "")
                    + "]";
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final WsTestClient.Raw.Answer answer;

    private RawWsClient(Socket socket, WsTestClient.Raw.Answer answer) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.answer = answer;
    }

    /** Upgrades with a valid RFC 6455 request and checks the 101 and its Sec-WebSocket-Accept. */
    static RawWsClient connect(int port, String pathAndQuery) {
        return connect(port, pathAndQuery, Map.of());
    }

    /** As {@link #connect(int, String)} with extra request headers. */
    static RawWsClient connect(int port, String pathAndQuery, Map<String, String> headers) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        Map<String, String> all = new LinkedHashMap<>();
        all.put("Host", "127.0.0.1:" + port);
        all.put("Upgrade", "websocket");
        all.put("Connection", "Upgrade");
        all.put("Sec-WebSocket-Key", key);
        all.put("Sec-WebSocket-Version", "13");
        all.putAll(headers);
        RawWsClient c = open(port, pathAndQuery, all);
        if (c.answer.status() != 101) {
            c.close();
            throw new AssertionError("upgrade refused: " + c.answer);
        }
        String expected = accept(key);
        if (!expected.equals(c.answer.header("sec-websocket-accept"))) {
            c.close();
            throw new AssertionError("wrong Sec-WebSocket-Accept " + c.answer.header("sec-websocket-accept") + ", expected " + expected);
        }
        return c;
    }

    /** Sends exactly {@code headers} (no defaults) with a GET for {@code pathAndQuery}; returns once the answer's head is read. */
    static RawWsClient open(int port, String pathAndQuery, Map<String, String> headers) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout((int) WsTestClient.TIMEOUT.toMillis());
            s.setTcpNoDelay(true);
            StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new RawWsClient(s, readAnswer(s.getInputStream()));
        } catch (SocketTimeoutException e) {
            closeQuietly(s);
            throw new AssertionError("no HTTP answer to the upgrade within " + WsTestClient.TIMEOUT, e);
        } catch (IOException e) {
            closeQuietly(s);
            throw new AssertionError("upgrade failed", e);
        }
    }

    /** The Sec-WebSocket-Accept value RFC 6455 §4.2.2 derives from a key. */
    static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1")
                    .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    WsTestClient.Raw.Answer answer() {
        return answer;
    }

    // ---- writing ------------------------------------------------------------------------------------------------

    /** A final, masked frame without RSV bits. */
    void send(int opcode, byte[] payload) {
        write(true, 0, opcode, payload);
    }

    void sendText(String text) {
        send(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code {"type": "ping", "data": {}}}: the application's own round trip, answered with a pong event. */
    void sendPingEvent() {
        sendText("{\"type\":\"ping\",\"data\":{}}");
    }

    /** A close frame with {@code code} and {@code reason} bytes (which may be invalid UTF-8). */
    void sendClose(int code, byte[] reason) {
        ByteBuffer b = ByteBuffer.allocate(2 + reason.length);
        b.putShort((short) code).put(reason);
        send(CLOSE, b.array());
    }

    /** One masked frame with any header bits, written in one go. */
    void write(boolean fin, int rsv, int opcode, byte[] payload) {
        writeRaw(encode(fin, rsv, opcode, payload));
    }

    /** One masked frame written in pieces of {@code chunk} bytes, flushed one by one (Autobahn's "chopped" cases). */
    void writeChopped(boolean fin, int rsv, int opcode, byte[] payload, int chunk) {
        byte[] frame = encode(fin, rsv, opcode, payload);
        for (int off = 0; off < frame.length; off += chunk) {
            byte[] piece = new byte[Math.min(chunk, frame.length - off)];
            System.arraycopy(frame, off, piece, 0, piece.length);
            writeRaw(piece);
        }
    }

    /**
     * Writes bytes; a failed write is ignored: the server may fail the connection while the rest of a frame is still
     * being written, and what it sent before closing is still there to read (the test's assertions are on that).
     */
    void writeRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException ignored) {
            // the server closed: the reads that follow show what it said
        }
    }

    static byte[] encode(boolean fin, int rsv, int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode);
        int len = payload.length;
        if (len < 126) {
            f.write(0x80 | len);
        } else if (len < 65536) {
            f.write(0x80 | 126);
            f.write(len >>> 8);
            f.write(len);
        } else {
            f.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) {
                f.write((int) ((long) len >>> (8 * i)));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.writeBytes(mask);
        byte[] masked = new byte[len];
        for (int i = 0; i < len; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        f.writeBytes(masked);
        return f.toByteArray();
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    /** The next frame, or {@link #EOF} when the connection ended; fails when nothing arrives within the timeout. */
    Frame readFrame() {
        try {
            int b0 = in.read();
            if (b0 == -1) {
                return EOF;
            }
            int b1 = readByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = (readByte() << 8) | readByte();
            } else if (len == 127) {
                len = 0;
                for (int i = 0; i < 8; i++) {
                    len = (len << 8) | readByte();
                }
            }
            boolean masked = (b1 & 0x80) != 0;
            byte[] mask = masked ? in.readNBytes(4) : null;
            byte[] payload = in.readNBytes((int) len);
            if (payload.length != len) {
                throw new EOFException("frame cut short");
            }
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0x0F, masked, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within " + WsTestClient.TIMEOUT, e);
        } catch (EOFException e) {
            return EOF;
        } catch (IOException e) {
            return EOF; // reset by the server
        }
    }

    /** The next frame that is not a ping from the server's heartbeat. */
    Frame next() {
        Frame f;
        do {
            f = readFrame();
        } while (f.opcode() == PING);
        return f;
    }

    /** The next application event (text frame parsed as JSON); fails on anything else. */
    JsonNode nextEvent() {
        Frame f = next();
        if (f.opcode() != TEXT || !f.fin()) {
            throw new AssertionError("expected a text frame, got " + f);
        }
        return f.json();
    }

    /** Skips events until one of {@code type} arrives. */
    JsonNode awaitEvent(String type) {
        while (true) {
            JsonNode e = nextEvent();
            if (type.equals(e.path("type").asText())) {
                return e;
            }
        }
    }

    /**
     * Reads until the server's close frame, skipping data frames (the server may still be answering earlier ones), and
     * returns it; fails if the connection ends without one.
     */
    Frame awaitCloseFrame() {
        while (true) {
            Frame f = readFrame();
            if (f == EOF) {
                throw new AssertionError("connection dropped without a close frame");
            }
            if (f.opcode() == CLOSE) {
                return f;
            }
        }
    }

    /** After the close handshake the server ends the TCP connection (RFC 6455 §7.1.1: the server closes first). */
    boolean tcpClosed(Duration timeout) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            while (true) {
                Frame f = readFrame();
                if (f == EOF) {
                    return true;
                }
            }
        } catch (IOException | AssertionError e) {
            return false;
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b == -1) {
            throw new EOFException();
        }
        return b;
    }

    private static WsTestClient.Raw.Answer readAnswer(InputStream in) throws IOException {
        String status = readLine(in);
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body = new byte[0];
        if (code != 101 && headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        }
        return new WsTestClient.Raw.Answer(code, headers, body);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new EOFException("connection closed before the HTTP answer");
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }
}
