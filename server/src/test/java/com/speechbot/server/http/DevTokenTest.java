package com.speechbot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/dev/token}: the console's dev login, only while the server runs on its generated secret. */
class DevTokenTest {

    @Test
    void mintsAWorkingTokenOnTheGeneratedSecret() {
        TestServer server = TestServer.shared();
        String user = TestServer.newUser("dev");
        TestHttp.Resp r = server.http().post(DevTokenResource.PATH, null, Map.of("user_id", user));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        String token = r.data().path("token").asText();
        assertThat(r.data().path("user_id").asText()).isEqualTo(user);
        assertThat(r.data().path("token_type").asText()).isEqualTo("Bearer");
        assertThat(Instant.parse(r.data().path("expires_at").asText())).isAfter(Instant.now().plusSeconds(3600));
        assertThat(server.server().tokens().verify(token).userId()).isEqualTo(user);
        TestHttp.Resp chats = server.http().get("/v1/chats", token);
        assertThat(chats.status()).as(chats.toString()).isEqualTo(200);
    }

    @Test
    void rejectsAMissingOrInvalidUserId() {
        TestServer server = TestServer.shared();
        TestHttp.Resp missing = server.http().post(DevTokenResource.PATH, null, Map.of());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("VALIDATION_ERROR");
        TestHttp.Resp blank = server.http().post(DevTokenResource.PATH, null, Map.of("user_id", "  "));
        assertThat(blank.status()).isEqualTo(400);
        assertThat(blank.error()).isEqualTo("VALIDATION_ERROR");
        TestHttp.Resp notJson = server.http().post(DevTokenResource.PATH, null, "nope");
        assertThat(notJson.error()).isEqualTo("INVALID_JSON");
    }

    @Test
    void isNotFoundWhenASecretIsConfigured(@TempDir Path dataDir) throws Exception {
        try (TestServer configured = TestServer.start(dataDir,
                Map.of("SPEECHBOT_JWT_SECRET", "a-configured-production-secret-of-at-least-32-bytes"))) {
            TestHttp.Resp r = configured.http().post(DevTokenResource.PATH, null, Map.of("user_id", "mallory"));
            assertThat(r.status()).as(r.toString()).isEqualTo(404);
            assertThat(r.error()).isEqualTo("NOT_FOUND");
            assertThat(r.json().has("data")).isFalse();
            String page = new String(configured.http().get("/", null).raw(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(page).as("the console hides its dev login").contains("data-dev-login=\"false\"");
        }
    }
}
