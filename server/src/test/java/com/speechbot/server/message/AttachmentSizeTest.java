package com.speechbot.server.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attachment size rule (limits.max_attachment_bytes, 10 MiB): every oversize attachment is 413
 * ATTACHMENT_TOO_LARGE with {@code details.max_size} and {@code details.provided_size}, whatever its encoded length and
 * whatever size it declares; the JSON reader's own limits must not answer first.
 */
class AttachmentSizeTest {

    private static final int MIB = 1024 * 1024;
    private static final int MAX = 10 * MIB;

    private final TestServer server = TestServer.shared();
    private String alice;
    private String chat;

    @BeforeEach
    void chat() {
        alice = TestServer.newUser("alice");
        TestHttp.Resp r = server.http().post("/v1/chats", server.token(alice), Map.of("title", "attachments", "bot_enabled", false));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        chat = r.data().path("chat").path("id").asText();
    }

    private TestHttp.Resp send(long declaredSize, String base64) {
        Map<String, Object> attachment = Map.of("filename", "big.bin", "content_type", "application/octet-stream",
                "size", declaredSize, "data", base64);
        return server.http().post("/v1/chats/" + chat + "/messages", server.token(alice),
                Map.of("content", "with an attachment", "attachments", List.of(attachment)));
    }

    private static String base64Of(int bytes) {
        byte[] data = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(data);
        return Base64.getEncoder().encodeToString(data);
    }

    private static void assertTooLarge(TestHttp.Resp r, long provided) {
        assertThat(r.status()).as(abbreviate(r)).isEqualTo(413);
        assertThat(r.json().path("success").asBoolean(true)).isFalse();
        assertThat(r.error()).isEqualTo("ATTACHMENT_TOO_LARGE");
        assertThat(r.json().path("message").asText()).isEqualTo("Attachment size exceeds maximum limit");
        JsonNode details = r.json().path("details");
        assertThat(details.path("max_size").asLong()).isEqualTo(MAX);
        assertThat(details.path("provided_size").asLong()).isEqualTo(provided);
    }

    private static String abbreviate(TestHttp.Resp r) {
        String s = r.toString();
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }

    @Test
    void theSpecsFifteenMibExampleIs413WithBothSizes() {
        assertTooLarge(send(15 * MIB, base64Of(15 * MIB)), 15L * MIB);
    }

    @Test
    void tenMibAndOneByteIs413() {
        assertTooLarge(send(MAX + 1, base64Of(MAX + 1)), MAX + 1L);
    }

    @Test
    void exactlyTenMibIsStored() {
        TestHttp.Resp r = send(MAX, base64Of(MAX));
        assertThat(r.status()).as(abbreviate(r)).isEqualTo(201);
        JsonNode stored = r.data().path("message").path("attachments").get(0);
        assertThat(stored.path("size").asLong()).isEqualTo(MAX);
    }

    @Test
    void aDeclaredSizeThatUnderstatesTheDataIs413WithTheDatasSize() {
        assertTooLarge(send(1024, base64Of(15 * MIB)), 15L * MIB);
        assertTooLarge(send(MAX, base64Of(MAX + 1)), MAX + 1L);
    }

    @Test
    void aDeclaredSizeOverTheLimitIs413EvenWithLessData() {
        assertTooLarge(send(15 * MIB, base64Of(16)), 15L * MIB);
    }

    @Test
    void lineWrappedAndUnpaddedBase64IsMeasuredTheSame() {
        byte[] data = new byte[MAX + 1];
        ThreadLocalRandom.current().nextBytes(data);
        assertTooLarge(send(MAX + 1, Base64.getMimeEncoder().encodeToString(data)), MAX + 1L);
        assertTooLarge(send(MAX + 1, Base64.getEncoder().withoutPadding().encodeToString(data)), MAX + 1L);
    }

    @Test
    void theDecodedSizeIsKnownExactlyFromTheBase64Length() {
        for (int n = 0; n <= 64; n++) {
            byte[] data = new byte[n];
            ThreadLocalRandom.current().nextBytes(data);
            assertThat(SendCommandParser.decodedSize(Base64.getEncoder().encodeToString(data))).as("padded %d", n).isEqualTo(n);
            assertThat(SendCommandParser.decodedSize(Base64.getEncoder().withoutPadding().encodeToString(data)))
                    .as("unpadded %d", n).isEqualTo(n);
        }
    }
}
