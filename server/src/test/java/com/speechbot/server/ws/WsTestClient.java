package com.speechbot.server.ws;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.codec.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real WebSocket client for end-to-end tests (java.net.http): every incoming text frame is parsed as JSON and queued;
 * {@code awaitEvent} takes the first event that matches and leaves the others queued. Reading can be paused (no demand
 * is signalled, so the JDK stops reading the socket). {@link Raw} is a hand-made client on a plain socket for handshake
 * checks, frame-level tests and consumers that never read.
 */
public final class WsTestClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final LinkedBlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final List<JsonNode> skipped = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final Object demandLock = new Object();
    private final Object sendLock = new Object();
    private final String name;
    private volatile String closeReason;
    private volatile Throwable error;
    private boolean paused;
    private boolean owed;
    private WebSocket ws;

    private WsTestClient(String name) {
        this.name = name;
    }

    /** The WebSocket URL of a chat on a server whose base is {@code wsBase} ({@code ws://host:port}). */
    public static String url(String wsBase, String chatId) {
        return wsBase + "/v1/chats/" + chatId + "/ws";
    }

    /** Connects with the token in the query ({@code ?token=}, as browsers do); fails the test if the upgrade fails. */
    public static WsTestClient connect(String url, String token) {
        String sep = url.contains("?") ? "&" : "?";
        return open(url + sep + "token=" + token, null);
    }

    /** Connects with {@code Authorization: Bearer <token>}. */
    public static WsTestClient connectBearer(String url, String token) {
        return open(url, token);
    }

    /** Tries to connect; returns the handshake's HTTP status when the server refused the upgrade. */
    public static int refusedStatus(String url, String bearerToken) {
        try {
            WsTestClient c = open0(url, bearerToken);
            c.close();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw new AssertionError("connect failed without an HTTP answer", e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static WsTestClient open(String url, String bearerToken) {
        try {
            return open0(url, bearerToken);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                throw new AssertionError("upgrade refused: HTTP " + h.getResponse().statusCode() + " for " + url, e);
            }
            throw new AssertionError("connect failed: " + url, e);
        } catch (Exception e) {
            throw new AssertionError("connect failed: " + url, e);
        }
    }

    private static WsTestClient open0(String url, String bearerToken) throws Exception {
        WsTestClient c = new WsTestClient(url);
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (bearerToken != null) {
            b.header("Authorization", "Bearer " + bearerToken);
        }
        c.ws = b.buildAsync(URI.create(url), c.new Listener()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return c;
    }

    // ---- sending ------------------------------------------------------------------------------------------------

    /** Sends {@code {"type": type, "data": data}} ({@code data} null: no data member). */
    public void send(String type, Map<String, ?> data) {
        ObjectNode root = Json.object();
        root.put("type", type);
        if (data != null) {
            root.set("data", Json.mapper().valueToTree(data));
        }
        sendRaw(Json.writeString(root));
    }

    /** A {@code send_message} with content and client_message_id (either may be null to leave it out). */
    public void sendMessage(String content, String clientMessageId) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (content != null) {
            data.put("content", content);
        }
        if (clientMessageId != null) {
            data.put("client_message_id", clientMessageId);
        }
        send("send_message", data);
    }

    /** Sends one text frame (thread-safe: one send at a time, as the JDK requires). */
    public void sendRaw(String text) {
        synchronized (sendLock) {
            join(ws.sendText(text, true));
        }
    }

    public void sendBinary(byte[] bytes) {
        synchronized (sendLock) {
            join(ws.sendBinary(ByteBuffer.wrap(bytes), true));
        }
    }

    private static void join(CompletableFuture<WebSocket> f) {
        try {
            f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("send failed", e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("send did not complete", e);
        }
    }

    // ---- receiving ----------------------------------------------------------------------------------------------
    // Events arrive in `events`; the awaiting methods take the one they look for and leave every other event queued
    // (in order) in `skipped`, so a later call still sees it. Receiving calls are meant for one test thread at a time.

    /** The next event of any type (skipped ones first); fails after {@code timeout}. */
    public synchronized JsonNode nextEvent(Duration timeout) {
        if (!skipped.isEmpty()) {
            return skipped.remove(0);
        }
        JsonNode e = poll(System.nanoTime() + timeout.toNanos());
        if (e == null) {
            fail(name + ": no event within " + timeout + closedNote());
        }
        return e;
    }

    public JsonNode nextEvent() {
        return nextEvent(TIMEOUT);
    }

    /** The first queued or arriving event of {@code type}; the others stay queued. */
    public JsonNode awaitEvent(String type, Duration timeout) {
        return awaitEvent(type, e -> true, timeout);
    }

    public JsonNode awaitEvent(String type) {
        return awaitEvent(type, TIMEOUT);
    }

    /** The first queued or arriving event of {@code type} whose {@code data} matches; the others stay queued. */
    public synchronized JsonNode awaitEvent(String type, Predicate<JsonNode> dataMatches, Duration timeout) {
        Predicate<JsonNode> match = e -> type.equals(e.path("type").asText()) && dataMatches.test(e.path("data"));
        for (int i = 0; i < skipped.size(); i++) {
            if (match.test(skipped.get(i))) {
                return skipped.remove(i);
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode e = poll(deadline);
            if (e == null) {
                fail(name + ": no matching " + type + " event within " + timeout + "; queued " + abbreviate(skipped)
                        + closedNote());
            }
            if (match.test(e)) {
                return e;
            }
            skipped.add(e);
        }
    }

    /**
     * Events of {@code type} until one has arrived for each of {@code keys} (in any order), where {@code key} extracts
     * the key from an event's data. Returns them in arrival order; the others stay queued.
     */
    public synchronized List<JsonNode> awaitEach(String type, Function<JsonNode, String> key, Collection<String> keys,
                                                 Duration timeout) {
        Set<String> missing = new LinkedHashSet<>(keys);
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!missing.isEmpty()) {
            JsonNode e;
            try {
                e = awaitEvent(type, d -> missing.contains(key.apply(d)), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (AssertionError timedOut) {
                throw new AssertionError(name + ": no " + type + " for " + missing + "; got " + out, timedOut);
            }
            missing.remove(key.apply(e.path("data")));
            out.add(e);
        }
        return out;
    }

    /**
     * Fails if an event of {@code type} is queued or arrives within {@code ms}; consumes nothing, so the queue is as
     * it was for later assertions.
     */
    public void assertNoEvent(String type, long ms) {
        assertNoEvent(type, d -> true, ms);
    }

    /** As {@link #assertNoEvent(String, long)}, for events of {@code type} whose {@code data} matches. */
    public synchronized void assertNoEvent(String type, Predicate<JsonNode> dataMatches, long ms) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        do {
            events.drainTo(skipped);
            for (JsonNode e : skipped) {
                if (type.equals(e.path("type").asText()) && dataMatches.test(e.path("data"))) {
                    fail(name + ": unexpected " + type + " event: " + e);
                }
            }
            sleep(20);
        } while (System.nanoTime() < deadline);
        events.drainTo(skipped);
    }

    /** Takes every queued event now (non-blocking). */
    public synchronized List<JsonNode> drain() {
        List<JsonNode> out = new ArrayList<>(skipped);
        skipped.clear();
        events.drainTo(out);
        return out;
    }

    private JsonNode poll(long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        try {
            return left <= 0 ? events.poll() : events.poll(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The close code the server sent (1006 when the connection ended without a close frame). */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(name + ": connection not closed within " + timeout);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public int awaitClose() {
        return awaitClose(TIMEOUT);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public String closeReason() {
        return closeReason;
    }

    /** Stops signalling demand: the JDK stops reading the socket once the current message was handed over. */
    public void pauseReading() {
        synchronized (demandLock) {
            paused = true;
        }
    }

    public void resumeReading() {
        synchronized (demandLock) {
            paused = false;
            if (owed) {
                owed = false;
                ws.request(1);
            }
        }
    }

    private void more(WebSocket w) {
        synchronized (demandLock) {
            if (paused) {
                owed = true;
            } else {
                w.request(1);
            }
        }
    }

    @Override
    public void close() {
        if (ws != null && !closed.isDone()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // already closing
            }
        }
        if (ws != null) {
            ws.abort();
        }
    }

    private String closedNote() {
        return closed.isDone() ? " (connection closed: " + closed.getNow(-1) + " " + closeReason + ", error " + error + ")" : "";
    }

    private static String abbreviate(List<?> list) {
        String s = list.toString();
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                try {
                    events.add(Json.readTree(frame));
                } catch (IOException e) {
                    ObjectNode bad = Json.object();
                    bad.put("type", "__unparseable__");
                    bad.put("text", frame);
                    events.add(bad);
                }
            }
            more(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            if (last) {
                ObjectNode bin = Json.object();
                bin.put("type", "__binary__");
                events.add(bin);
            }
            more(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            more(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            more(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = reason;
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable t) {
            error = t;
            closed.complete(1006);
        }
    }

    // ---- raw socket client --------------------------------------------------------------------------------------

    /**
     * A WebSocket (or plain HTTP upgrade attempt) on a bare socket: the handshake is written by hand, so refused
     * upgrades show their full HTTP answer, and a client can connect and then never read (with a small receive buffer
     * so the server's writes back up quickly).
     */
    public static final class Raw implements AutoCloseable {

        /** The server's answer to the upgrade request. */
        public record Answer(int status, Map<String, String> headers, byte[] body) {
            public JsonNode json() {
                try {
                    return Json.readTree(body);
                } catch (IOException e) {
                    throw new AssertionError("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
                }
            }

            public String header(String name) {
                return headers.get(name.toLowerCase(Locale.ROOT));
            }

            @Override
            public String toString() {
                return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
            }
        }

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        public final Answer answer;

        private Raw(Socket socket, Answer answer) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.answer = answer;
        }

        /**
         * Sends an upgrade request for {@code pathAndQuery} with {@code headers} added (a null value removes a default
         * header: Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version). {@code receiveBuffer} > 0 sets
         * SO_RCVBUF before connecting.
         */
        public static Raw open(int port, String pathAndQuery, Map<String, String> headers, int receiveBuffer) {
            Socket s = new Socket();
            try {
                if (receiveBuffer > 0) {
                    s.setReceiveBufferSize(receiveBuffer);
                }
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout((int) TIMEOUT.toMillis());
                Map<String, String> h = new LinkedHashMap<>();
                h.put("Host", "127.0.0.1:" + port);
                h.put("Upgrade", "websocket");
                h.put("Connection", "Upgrade");
                byte[] key = new byte[16];
                ThreadLocalRandom.current().nextBytes(key);
                h.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(key));
                h.put("Sec-WebSocket-Version", "13");
                headers.forEach((k, v) -> {
                    h.keySet().removeIf(x -> x.equalsIgnoreCase(k));
                    if (v != null) {
                        h.put(k, v);
                    }
                });
                StringBuilder req = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\n");
                h.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
                req.append("\r\n");
                s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                return new Raw(s, readAnswer(s.getInputStream()));
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
                throw new AssertionError("raw upgrade failed", e);
            }
        }

        /** The HTTP answer only (the socket is closed). */
        public static Answer upgrade(int port, String pathAndQuery, Map<String, String> headers) {
            try (Raw r = open(port, pathAndQuery, headers, 0)) {
                return r.answer;
            }
        }

        private static Answer readAnswer(InputStream in) throws IOException {
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
            return new Answer(code, headers, body);
        }

        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            if (c == -1 && b.size() == 0) {
                throw new EOFException("connection closed before the HTTP answer");
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        /** Writes one complete, final, masked client frame. */
        public void sendFrame(int opcode, byte[] payload) throws IOException {
            writeFrame(true, opcode, payload, payload.length);
        }

        /** Writes one message as fragments: a text frame, then continuation frames, the last one final. */
        public void sendFragments(byte[]... parts) throws IOException {
            for (int i = 0; i < parts.length; i++) {
                writeFrame(i == parts.length - 1, i == 0 ? 0x1 : 0x0, parts[i], parts[i].length);
            }
        }

        /**
         * Writes a masked frame header announcing {@code declaredLength} payload bytes followed by {@code payload}
         * (which may be shorter than announced: the rest never comes).
         */
        public void writeFrame(boolean fin, int opcode, byte[] payload, long declaredLength) throws IOException {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write((fin ? 0x80 : 0) | opcode);
            if (declaredLength < 126) {
                f.write(0x80 | (int) declaredLength);
            } else if (declaredLength < 65536) {
                f.write(0x80 | 126);
                f.write((int) (declaredLength >>> 8));
                f.write((int) declaredLength);
            } else {
                f.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    f.write((int) (declaredLength >>> (8 * i)));
                }
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask);
            for (int i = 0; i < payload.length; i++) {
                f.write(payload[i] ^ mask[i & 3]);
            }
            out.write(f.toByteArray());
            out.flush();
        }

        /**
         * Reads (and discards) every frame until the connection ends; returns the close code of the server's close
         * frame, or 1006 when the stream ended (or was reset) without one. Fails if it is still open after
         * {@code timeout}.
         */
        public int readUntilClosed(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                socket.setSoTimeout(200);
                while (System.nanoTime() < deadline) {
                    try {
                        int b0 = in.read();
                        if (b0 == -1) {
                            return 1006;
                        }
                        int opcode = b0 & 0x0F;
                        int b1 = readByte();
                        long len = b1 & 0x7F;
                        if (len == 126) {
                            len = ((long) readByte() << 8) | readByte();
                        } else if (len == 127) {
                            len = 0;
                            for (int i = 0; i < 8; i++) {
                                len = (len << 8) | readByte();
                            }
                        }
                        byte[] payload = readFully(len);
                        if (opcode == 0x8) {
                            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                        }
                    } catch (SocketTimeoutException e) {
                        // nothing yet; keep waiting for the server to act
                    }
                }
            } catch (EOFException e) {
                return 1006;
            } catch (IOException e) {
                return 1006; // reset
            }
            throw new AssertionError("raw connection still open after " + timeout);
        }

        private int readByte() throws IOException {
            while (true) {
                try {
                    int b = in.read();
                    if (b == -1) {
                        throw new EOFException();
                    }
                    return b;
                } catch (SocketTimeoutException e) {
                    // mid-frame: the rest is coming
                }
            }
        }

        private byte[] readFully(long len) throws IOException {
            byte[] buf = new byte[(int) len];
            int off = 0;
            while (off < len) {
                try {
                    int n = in.read(buf, off, (int) len - off);
                    if (n == -1) {
                        throw new EOFException();
                    }
                    off += n;
                } catch (SocketTimeoutException e) {
                    // mid-frame
                }
            }
            return buf;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
