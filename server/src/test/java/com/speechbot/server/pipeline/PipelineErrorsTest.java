package com.speechbot.server.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Errors raised below the routes (Netty's codecs, the router, auth) still answer in the API's JSON envelope. */
class PipelineErrorsTest {

    private final TestServer server = TestServer.shared();

    /** A raw HTTP exchange: what a misbehaving client would send, byte for byte. */
    private Answer raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            try {
                while ((n = in.read(chunk)) > 0) {
                    buf.write(chunk, 0, n);
                    if (complete(buf.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (java.net.SocketException reset) {
                // the server may close right after answering; what we read is the answer
            }
            return Answer.parse(buf.toString(StandardCharsets.UTF_8));
        }
    }

    private static boolean complete(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase();
        int i = head.indexOf("content-length:");
        if (i < 0) {
            return false;
        }
        int len = Integer.parseInt(head.substring(i + 15, head.indexOf("\r\n", i) < 0 ? head.length() : head.indexOf("\r\n", i)).trim());
        return text.length() - end - 4 >= len;
    }

    private record Answer(int status, String head, JsonNode json) {
        static Answer parse(String text) throws IOException {
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            int status = Integer.parseInt(head.substring(9, 12));
            return new Answer(status, head, Json.readTree(text.substring(end + 4)));
        }
    }

    @Test
    void malformedRequestLineIsA400Envelope() throws IOException {
        Answer a = raw("GARBAGE\r\n\r\n");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.json.path("success").asBoolean(true)).isFalse();
        assertThat(a.json.path("error").asText()).isEqualTo("BAD_REQUEST");
        assertThat(a.head.toLowerCase()).contains("content-type: application/json");
    }

    @Test
    void overlongRequestLineIs414() throws IOException {
        Answer a = raw("GET /v1/chats?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(a.status).isEqualTo(414);
        assertThat(a.json.path("error").asText()).isEqualTo("URI_TOO_LONG");
    }

    @Test
    void oversizedHeadersAre431() throws IOException {
        Answer a = raw("GET /v1/chats HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
        assertThat(a.status).isEqualTo(431);
        assertThat(a.json.path("error").asText()).isEqualTo("HEADERS_TOO_LARGE");
    }

    @Test
    void oversizedBodyIsRefusedBeforeItIsSent() throws IOException {
        long declared = server.server().config().server().maxBodyBytes() + 1L;
        // Only the headers are sent: the 413 must come from Content-Length alone.
        Answer a = raw("POST /v1/chats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + declared + "\r\n\r\n");
        assertThat(a.status).isEqualTo(413);
        assertThat(a.json.path("error").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(a.json.at("/details/max_size").asLong()).isEqualTo(declared - 1);
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405WithAllow() {
        TestHttp http = server.http();
        String token = server.token(TestServer.newUser("pipe"));
        TestHttp.Resp missing = http.get("/v1/does-not-exist", token);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).isEqualTo("NOT_FOUND");
        TestHttp.Resp wrong = http.send("PUT", "/v1/chats", token, "{}");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.error()).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(wrong.header("allow")).contains("GET").contains("POST");
    }

    @Test
    void authFailuresAre401WithSpecificCodes() {
        TestHttp http = server.http();
        TestHttp.Resp none = http.get("/v1/chats", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.error()).isEqualTo("AUTH_REQUIRED");
        assertThat(none.header("www-authenticate")).isEqualTo("Bearer");
        TestHttp.Resp forged = http.get("/v1/chats", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.error()).isEqualTo("INVALID_TOKEN");
        assertThat(forged.json().path("request_id").asText()).isNotBlank();
    }

    @Test
    void malformedJsonBodyIs400() {
        String token = server.token(TestServer.newUser("pipe"));
        TestHttp.Resp r = server.http().post("/v1/chats", token, "{\"title\": ");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("INVALID_JSON");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String token = server.token(TestServer.newUser("pipe"));
        StringBuilder req = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            String path = i % 2 == 0 ? "/healthz" : "/v1/nope-" + i;
            req.append("GET ").append(path).append(" HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ").append(token)
                    .append("\r\n\r\n");
        }
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            while (count(buf.toString(StandardCharsets.UTF_8), "HTTP/1.1 ") < 5
                    || !buf.toString(StandardCharsets.UTF_8).trim().endsWith("}")) {
                int n = s.getInputStream().read(chunk);
                if (n < 0) {
                    break;
                }
                buf.write(chunk, 0, n);
            }
            String all = buf.toString(StandardCharsets.UTF_8);
            int[] expected = {200, 404, 200, 404, 200};
            int from = 0;
            for (int status : expected) {
                int at = all.indexOf("HTTP/1.1 ", from);
                assertThat(all.substring(at + 9, at + 12)).isEqualTo(Integer.toString(status));
                from = at + 1;
            }
        }
    }

    private static int count(String s, String needle) {
        int c = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            c++;
        }
        return c;
    }
}
