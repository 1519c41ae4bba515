package com.speechbot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestHttp.Resp;
import com.speechbot.server.TestServer;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommand;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every messages and attachments route over real HTTP against the real server and its embedded PostgreSQL. */
class MessagesApiTest {

    private static TestServer server;
    private static TestHttp http;

    private String alice;
    private String bob;
    private String mallory;
    private String aliceToken;
    private String bobToken;
    private String malloryToken;

    @BeforeAll
    static void start() {
        server = TestServer.shared();
        http = server.http();
    }

    /** A fresh chat owned by a fresh alice, with bob as member and mallory outside; the bot is off. */
    private String chat() {
        alice = TestServer.newUser("alice");
        bob = TestServer.newUser("bob");
        mallory = TestServer.newUser("mallory");
        aliceToken = server.token(alice);
        bobToken = server.token(bob);
        malloryToken = server.token(mallory);
        Resp created = http.post("/v1/chats", aliceToken, Map.of("title", "Messages test", "bot_enabled", false));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String chatId = created.data().path("chat").path("id").asText(created.data().path("id").asText());
        assertThat(chatId).startsWith("chat_");
        Resp added = http.post("/v1/chats/" + chatId + "/members", aliceToken, Map.of("user_id", bob));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        return chatId;
    }

    private static String messages(String chatId) {
        return "/v1/chats/" + chatId + "/messages";
    }

    private static JsonNode sendOk(String chatId, String token, Object body) {
        Resp r = http.post(messages(chatId), token, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.data().path("message");
    }

    private static void assertError(Resp r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json().path("success").asBoolean(true)).isFalse();
        assertThat(r.error()).as(r.toString()).isEqualTo(code);
    }

    private static Jdbi jdbi() {
        return server.server().database().jdbi();
    }

    private static long chatNumber(String chatId) {
        return Long.parseLong(chatId.substring("chat_".length()));
    }

    private static long seq(String messageId) {
        return Long.parseLong(messageId.substring(messageId.lastIndexOf('_') + 1));
    }

    private static List<String> ids(Resp page) {
        List<String> out = new ArrayList<>();
        page.data().path("messages").forEach(m -> out.add(m.path("id").asText()));
        return out;
    }

    // ------------------------------------------------------------------------------------------------ send + list

    @Test
    void sendReturns201WithTheFullViewAndTheChatUpdate() {
        String chatId = chat();
        ObjectNode body = Json.object().put("content", "Hello! Can you help me with a coding problem?").put("content_type", "text");
        body.putNull("reply_to");
        body.putNull("thread_id");
        body.putObject("metadata").put("client_timestamp", "2025-07-15T15:00:00Z").putObject("device_info")
                .put("platform", "android").put("app_version", "1.0.0");
        Resp r = http.post(messages(chatId), aliceToken, body);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("success").asBoolean()).isTrue();
        assertThat(r.json().path("message").asText()).isEqualTo("Message sent successfully");
        JsonNode m = r.data().path("message");
        assertThat(m.path("id").asText()).isEqualTo("msg_" + chatNumber(chatId) + "_1");
        assertThat(m.path("chat_id").asText()).isEqualTo(chatId);
        assertThat(m.path("role").asText()).isEqualTo("user");
        assertThat(m.path("content").asText()).isEqualTo("Hello! Can you help me with a coding problem?");
        assertThat(m.path("full_content").asText()).isEqualTo(m.path("content").asText());
        assertThat(m.path("content_type").asText()).isEqualTo("text");
        assertThat(m.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");
        assertThat(m.path("status").asText()).isEqualTo("sent");
        assertThat(m.path("metadata").path("client_timestamp").asText()).isEqualTo("2025-07-15T15:00:00Z");
        assertThat(m.path("metadata").path("device_info").path("platform").asText()).isEqualTo("android");
        for (String nullField : List.of("thread_id", "reply_to", "edited_at", "deleted_at")) {
            assertThat(m.has(nullField)).as(nullField).isTrue();
            assertThat(m.get(nullField).isNull()).as(nullField).isTrue();
        }
        for (String emptyList : List.of("reactions", "attachments", "edit_history")) {
            assertThat(m.path(emptyList).isArray()).as(emptyList).isTrue();
            assertThat(m.path(emptyList)).as(emptyList).isEmpty();
        }
        JsonNode updated = r.data().path("chat_updated");
        assertThat(updated.path("id").asText()).isEqualTo(chatId);
        assertThat(updated.path("updated_at").asText()).isEqualTo(m.path("timestamp").asText());
        assertThat(updated.path("message_count").asLong()).isEqualTo(1);

        JsonNode second = sendOk(chatId, bobToken, Map.of("content", "second", "content_type", "markdown"));
        assertThat(second.path("id").asText()).isEqualTo("msg_" + chatNumber(chatId) + "_2");
        assertThat(second.path("content_type").asText()).isEqualTo("markdown");

        Resp list = http.get(messages(chatId), bobToken);
        assertThat(list.status()).isEqualTo(200);
        assertThat(ids(list)).containsExactly(second.path("id").asText(), m.path("id").asText());
        assertThat(list.data().path("messages").get(1)).isEqualTo(m);
        JsonNode p = list.data().path("pagination");
        assertThat(p.path("total_messages").asLong()).isEqualTo(2);
        assertThat(p.path("returned_messages").asInt()).isEqualTo(2);
        assertThat(p.path("has_more").asBoolean()).isFalse();
        assertThat(p.get("next_offset").isNull()).isTrue();
        assertThat(p.get("previous_offset").isNull()).isTrue();
        JsonNode info = list.data().path("chat_info");
        assertThat(info.path("id").asText()).isEqualTo(chatId);
        assertThat(info.path("title").asText()).isEqualTo("Messages test");
        assertThat(info.path("updated_at").asText()).isEqualTo(second.path("timestamp").asText());
    }

    @Test
    void sendValidationErrors() {
        String chatId = chat();
        Resp empty = http.post(messages(chatId), aliceToken, Map.of("content", "  "));
        assertError(empty, 400, "INVALID_MESSAGE_CONTENT");
        assertThat(empty.json().path("message").asText()).isEqualTo("Message content cannot be empty");
        assertThat(empty.json().path("details")).isEqualTo(Json.object().set("content", Json.mapper().createArrayNode().add("Content is required")));
        assertError(http.post(messages(chatId), aliceToken, Map.of("content_type", "text")), 400, "INVALID_MESSAGE_CONTENT");

        int max = server.server().config().limits().maxContentBytes();
        Resp big = http.post(messages(chatId), aliceToken, Map.of("content", "x".repeat(max + 1)));
        assertError(big, 400, "INVALID_MESSAGE_CONTENT");
        assertThat(big.json().path("details").path("max_bytes").asInt()).isEqualTo(max);
        assertThat(http.post(messages(chatId), aliceToken, Map.of("content", "x".repeat(max))).status()).isEqualTo(201);

        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "content_type", "html")), 400,
                "INVALID_CONTENT_TYPE");
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "reply_to", "msg_1_1")), 400,
                "INVALID_REPLY_TO");
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "reply_to", "bogus")), 400,
                "INVALID_REPLY_TO");
        assertError(http.post(messages(chatId), aliceToken,
                Map.of("content", "x", "reply_to", "msg_" + chatNumber(chatId) + "_99")), 400, "INVALID_REPLY_TO");
        JsonNode replied = sendOk(chatId, bobToken, Map.of("content", "reply", "reply_to", "msg_" + chatNumber(chatId) + "_1"));
        assertThat(replied.path("reply_to").asText()).isEqualTo("msg_" + chatNumber(chatId) + "_1");

        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "metadata", List.of(1))), 400,
                "INVALID_METADATA");
        int maxMeta = server.server().config().limits().maxMetadataBytes();
        assertError(http.post(messages(chatId), aliceToken,
                Map.of("content", "x", "metadata", Map.of("k", "v".repeat(maxMeta)))), 400, "INVALID_METADATA");
        assertError(http.post(messages(chatId), aliceToken, "{\"content\": \"x\""), 400, "INVALID_JSON");
        assertError(http.post(messages(chatId), aliceToken, "[1]"), 400, "INVALID_JSON");
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "thread_id", "t".repeat(201))), 400,
                "VALIDATION_ERROR");
    }

    @Test
    void attachmentsAreValidatedStoredAndDownloadable() {
        String chatId = chat();
        byte[] csv = "name,value\nalpha,1\n".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> att = Map.of("filename", "data \"2025\".csv", "content_type", "text/csv", "size", csv.length,
                "data", Base64.getEncoder().encodeToString(csv));
        JsonNode m = sendOk(chatId, aliceToken, Map.of("content", "see attached", "attachments", List.of(att)));
        JsonNode a = m.path("attachments").get(0);
        assertThat(a.path("id").asText()).matches("att_\\d+");
        assertThat(a.path("filename").asText()).isEqualTo("data \"2025\".csv");
        assertThat(a.path("content_type").asText()).isEqualTo("text/csv");
        assertThat(a.path("size").asLong()).isEqualTo(csv.length);
        assertThat(a.path("url").asText()).endsWith("/v1/attachments/" + a.path("id").asText()).startsWith("http");
        assertThat(a.has("thumbnail_url")).isTrue();
        assertThat(a.get("thumbnail_url").isNull()).isTrue();

        Resp download = http.get("/v1/attachments/" + a.path("id").asText(), bobToken);
        assertThat(download.status()).isEqualTo(200);
        assertThat(download.raw()).isEqualTo(csv);
        assertThat(download.header("content-type")).startsWith("text/csv");
        assertThat(download.header("content-disposition")).startsWith("inline; filename=\"data _2025_.csv\"");
        assertError(http.get("/v1/attachments/" + a.path("id").asText(), malloryToken), 404, "ATTACHMENT_NOT_FOUND");
        assertError(http.get("/v1/attachments/att_123", bobToken), 404, "ATTACHMENT_NOT_FOUND");
        assertError(http.get("/v1/attachments/nonsense", bobToken), 404, "ATTACHMENT_NOT_FOUND");
        assertThat(http.get("/v1/attachments/" + a.path("id").asText(), null).status()).isEqualTo(401);

        int maxAttachments = server.server().config().limits().maxAttachments();
        List<Object> many = new ArrayList<>();
        for (int i = 0; i <= maxAttachments; i++) {
            many.add(att);
        }
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "attachments", many)), 400,
                "INVALID_ATTACHMENT");
        int maxBytes = server.server().config().limits().maxAttachmentBytes();
        Resp tooLarge = http.post(messages(chatId), aliceToken, Map.of("content", "x", "attachments", List.of(Map.of(
                "filename", "big.bin", "content_type", "application/octet-stream", "size", maxBytes + 1L, "data", "AAAA"))));
        assertError(tooLarge, 413, "ATTACHMENT_TOO_LARGE");
        assertThat(tooLarge.json().path("message").asText()).isEqualTo("Attachment size exceeds maximum limit");
        assertThat(tooLarge.json().path("details").path("max_size").asLong()).isEqualTo(maxBytes);
        assertThat(tooLarge.json().path("details").path("provided_size").asLong()).isEqualTo(maxBytes + 1L);
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "attachments", List.of(Map.of(
                "filename", "f", "content_type", "a/b", "size", 3, "data", "not base64!")))), 400, "INVALID_ATTACHMENT");
        Resp mismatch = http.post(messages(chatId), aliceToken, Map.of("content", "x", "attachments", List.of(Map.of(
                "filename", "f", "content_type", "a/b", "size", 5, "data", "AAAA"))));
        assertError(mismatch, 400, "INVALID_ATTACHMENT");
        assertThat(mismatch.json().path("details").path("declared_size").asLong()).isEqualTo(5);
        assertThat(mismatch.json().path("details").path("actual_size").asLong()).isEqualTo(3);
        assertError(http.post(messages(chatId), aliceToken, Map.of("content", "x", "attachments", List.of(Map.of(
                "content_type", "a/b", "size", 3, "data", "AAAA")))), 400, "INVALID_ATTACHMENT");

        // deleted for everyone: the bytes are no longer served
        http.delete(messages(chatId) + "/" + m.path("id").asText() + "?delete_for=everyone", aliceToken);
        assertError(http.get("/v1/attachments/" + a.path("id").asText(), bobToken), 404, "ATTACHMENT_NOT_FOUND");
    }

    @Test
    void clientMessageIdMakesSendsIdempotent() {
        String chatId = chat();
        Map<String, Object> body = Map.of("content", "only once", "client_message_id", "temp_msg_12345");
        Resp first = http.post(messages(chatId), aliceToken, body);
        assertThat(first.status()).isEqualTo(201);
        Resp retry = http.post(messages(chatId), aliceToken, body);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.data().path("message").path("id")).isEqualTo(first.data().path("message").path("id"));
        assertThat(retry.data().path("message").path("client_message_id").asText()).isEqualTo("temp_msg_12345");
        assertThat(retry.data().path("chat_updated").path("message_count").asLong()).isEqualTo(1);
        Resp conflict = http.post(messages(chatId), aliceToken, Map.of("content", "different", "client_message_id", "temp_msg_12345"));
        assertError(conflict, 409, "CLIENT_MESSAGE_ID_CONFLICT");
        assertThat(http.post(messages(chatId), bobToken, body).status()).isEqualTo(201);
        assertThat(http.get(messages(chatId), aliceToken).data().path("pagination").path("total_messages").asLong()).isEqualTo(2);
    }

    @Test
    void unknownChatsNonMembersAndUnknownMessagesAre404() {
        String chatId = chat();
        String id = sendOk(chatId, aliceToken, Map.of("content", "hi")).path("id").asText();
        String msg = messages(chatId) + "/" + id;
        for (Resp r : List.of(
                http.get(messages(chatId), malloryToken),
                http.post(messages(chatId), malloryToken, Map.of("content", "let me in")),
                http.put(msg, malloryToken, Map.of("content", "x")),
                http.delete(msg, malloryToken),
                http.post(msg + "/restore", malloryToken, null),
                http.post(msg + "/reactions", malloryToken, Map.of("emoji", "👍")),
                http.get(messages("chat_999999999999"), aliceToken),
                http.get(messages("nonsense"), aliceToken),
                http.put(messages(chatId) + "/msg_1_1", malloryToken, Map.of("content", "x")))) {
            assertError(r, 404, "CHAT_NOT_FOUND");
        }
        for (String bad : List.of("msg_" + chatNumber(chatId) + "_999", "msg_1_1", "garbage")) {
            String path = messages(chatId) + "/" + bad;
            assertError(http.put(path, aliceToken, Map.of("content", "x")), 404, "MESSAGE_NOT_FOUND");
            assertError(http.delete(path, aliceToken), 404, "MESSAGE_NOT_FOUND");
            assertError(http.post(path + "/restore", aliceToken, null), 404, "MESSAGE_NOT_FOUND");
            assertError(http.post(path + "/reactions", aliceToken, Map.of("emoji", "👍")), 404, "MESSAGE_NOT_FOUND");
        }
        assertThat(http.get(messages(chatId), null).status()).isEqualTo(401);
    }

    @Test
    void listParametersAndPagination() {
        String chatId = chat();
        long n = chatNumber(chatId);
        for (int i = 1; i <= 7; i++) {
            Map<String, Object> body = i % 2 == 0 ? Map.of("content", "m" + i, "thread_id", "th") : Map.of("content", "m" + i);
            sendOk(chatId, i % 2 == 0 ? bobToken : aliceToken, body);
        }
        String base = messages(chatId);
        Resp p1 = http.get(base + "?limit=3", aliceToken);
        assertThat(ids(p1)).containsExactly("msg_" + n + "_7", "msg_" + n + "_6", "msg_" + n + "_5");
        assertThat(p1.data().path("pagination").path("has_more").asBoolean()).isTrue();
        assertThat(p1.data().path("pagination").path("next_offset").asInt()).isEqualTo(3);
        assertThat(p1.data().path("pagination").get("previous_offset").isNull()).isTrue();
        Resp p3 = http.get(base + "?limit=3&offset=6", aliceToken);
        assertThat(ids(p3)).containsExactly("msg_" + n + "_1");
        assertThat(p3.data().path("pagination").path("has_more").asBoolean()).isFalse();
        assertThat(p3.data().path("pagination").get("next_offset").isNull()).isTrue();
        assertThat(p3.data().path("pagination").path("previous_offset").asInt()).isEqualTo(3);
        assertThat(ids(http.get(base + "?order=asc&limit=2", aliceToken))).containsExactly("msg_" + n + "_1", "msg_" + n + "_2");
        assertThat(ids(http.get(base + "?before=msg_" + n + "_3", aliceToken))).containsExactly("msg_" + n + "_2", "msg_" + n + "_1");
        assertThat(ids(http.get(base + "?after=msg_" + n + "_5&order=asc", aliceToken)))
                .containsExactly("msg_" + n + "_6", "msg_" + n + "_7");
        Resp thread = http.get(base + "?thread_id=th&order=asc", aliceToken);
        assertThat(ids(thread)).containsExactly("msg_" + n + "_2", "msg_" + n + "_4", "msg_" + n + "_6");
        assertThat(thread.data().path("pagination").path("total_messages").asLong()).isEqualTo(3);
        assertThat(http.get(base + "?limit=200", aliceToken).status()).isEqualTo(200);

        for (String bad : List.of("limit=0", "limit=201", "limit=abc", "offset=-1", "order=sideways")) {
            Resp r = http.get(base + "?" + bad, aliceToken);
            assertError(r, 400, "INVALID_PARAMETER");
            assertThat(r.json().path("details").has(bad.substring(0, bad.indexOf('=')))).as(bad).isTrue();
        }
        for (String param : List.of("before", "after")) {
            for (String value : List.of("nonsense", "msg_1_1", "chat_" + n)) {
                Resp r = http.get(base + "?" + param + "=" + value, aliceToken);
                assertError(r, 400, "INVALID_PARAMETER");
                assertThat(r.json().path("details").has(param)).as(param + "=" + value).isTrue();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ edit

    @Test
    void editRulesOverHttp() {
        String chatId = chat();
        long n = chatNumber(chatId);
        String id = sendOk(chatId, aliceToken, Map.of("content", "Hello! Can you help me with a codng problem?")).path("id").asText();
        String path = messages(chatId) + "/" + id;
        Resp edited = http.put(path, aliceToken, Map.of("content", "Updated message content here",
                "metadata", Map.of("edit_reason", "Fixed typo", "client_timestamp", "2025-07-15T15:05:00Z")));
        assertThat(edited.status()).as(edited.toString()).isEqualTo(200);
        assertThat(edited.json().path("message").asText()).isEqualTo("Message updated successfully");
        JsonNode m = edited.data().path("message");
        assertThat(m.path("content").asText()).isEqualTo("Updated message content here");
        assertThat(m.path("status").asText()).isEqualTo("edited");
        assertThat(m.path("edited_at").isNull()).isFalse();
        JsonNode history = m.path("edit_history");
        assertThat(history).hasSize(1);
        assertThat(history.get(0).path("content").asText()).isEqualTo("Hello! Can you help me with a codng problem?");
        assertThat(history.get(0).path("edit_reason").asText()).isEqualTo("Fixed typo");
        assertThat(history.get(0).path("edited_at").asText()).isEqualTo(m.path("edited_at").asText());

        Resp notAuthor = http.put(path, bobToken, Map.of("content", "hijack"));
        assertError(notAuthor, 403, "EDIT_NOT_ALLOWED");
        assertThat(notAuthor.json().path("message").asText()).isEqualTo("Only the author can edit this message");
        assertError(http.put(path, aliceToken, Map.of("content", " ")), 400, "INVALID_MESSAGE_CONTENT");
        assertError(http.put(path, aliceToken, Map.of("content", "x", "metadata", "nope")), 400, "INVALID_METADATA");

        // a bot message
        MessageStore store = new MessageStore(jdbi(), server.server().config().limits(), "http://x", Clock.systemUTC());
        long botSeq = store.insertBatch(n, List.of(SendCommand.bot("bot", "beep", null, "text", null, null, null, null)))
                .get(0).seq();
        Resp bot = http.put(messages(chatId) + "/msg_" + n + "_" + botSeq, aliceToken, Map.of("content", "x"));
        assertError(bot, 403, "EDIT_NOT_ALLOWED");
        assertThat(bot.json().path("message").asText()).isEqualTo("Bot messages cannot be edited");

        // too old: age the row
        jdbi().useHandle(h -> h.execute("UPDATE messages SET created_at = created_at - interval '48 hours' WHERE chat_id = ?"
                + " AND seq = ?", n, seq(id)));
        Resp expired = http.put(path, aliceToken, Map.of("content", "late"));
        assertError(expired, 409, "EDIT_TIME_EXPIRED");
        assertThat(expired.json().path("message").asText()).isEqualTo("Messages can only be edited within 24 hours");
        assertThat(expired.json().path("details").path("message_age_hours").asInt()).isEqualTo(48);
        assertThat(expired.json().path("details").path("max_edit_hours").asInt()).isEqualTo(24);

        String gone = sendOk(chatId, aliceToken, Map.of("content", "soon gone")).path("id").asText();
        http.delete(messages(chatId) + "/" + gone + "?delete_for=everyone", aliceToken);
        Resp deleted = http.put(messages(chatId) + "/" + gone, aliceToken, Map.of("content", "x"));
        assertError(deleted, 403, "EDIT_NOT_ALLOWED");
        assertThat(deleted.json().path("message").asText()).isEqualTo("Deleted messages cannot be edited");
    }

    // ------------------------------------------------------------------------------------------------ delete + restore

    @Test
    void deleteAndRestoreOverHttp() {
        String chatId = chat();
        String id = sendOk(chatId, aliceToken, Map.of("content", "delete me")).path("id").asText();
        String path = messages(chatId) + "/" + id;

        Resp me = http.delete(path, bobToken);
        assertThat(me.status()).as(me.toString()).isEqualTo(200);
        assertThat(me.json().path("message").asText()).isEqualTo("Message deleted successfully");
        assertThat(me.data().path("message_id").asText()).isEqualTo(id);
        assertThat(me.data().path("deletion_type").asText()).isEqualTo("soft");
        assertThat(me.data().path("deleted_for").asText()).isEqualTo("me");
        assertThat(me.data().path("deleted_at").asText()).endsWith("Z");
        assertThat(me.data().path("can_restore").asBoolean()).isTrue();
        assertThat(ids(http.get(messages(chatId), bobToken))).isEmpty();
        assertThat(ids(http.get(messages(chatId), aliceToken))).containsExactly(id);
        Resp restored = http.post(path + "/restore", bobToken, null);
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        assertThat(restored.data().path("message").path("content").asText()).isEqualTo("delete me");
        assertThat(ids(http.get(messages(chatId), bobToken))).containsExactly(id);
        assertError(http.post(path + "/restore", bobToken, null), 409, "MESSAGE_NOT_RESTORABLE");

        assertError(http.delete(path + "?delete_for=them", aliceToken), 400, "INVALID_PARAMETER");
        assertError(http.delete(path + "?hard_delete=maybe", aliceToken), 400, "INVALID_PARAMETER");
        assertError(http.delete(path + "?delete_for=everyone", bobToken), 403, "DELETE_NOT_ALLOWED");
        assertError(http.delete(path + "?hard_delete=true", bobToken), 403, "DELETE_NOT_ALLOWED");

        Resp everyone = http.delete(path + "?delete_for=everyone&hard_delete=false", aliceToken);
        assertThat(everyone.status()).isEqualTo(200);
        assertThat(everyone.data().path("deleted_for").asText()).isEqualTo("everyone");
        JsonNode tomb = http.get(messages(chatId), bobToken).data().path("messages").get(0);
        assertThat(tomb.path("id").asText()).isEqualTo(id);
        assertThat(tomb.path("content").asText()).isEmpty();
        assertThat(tomb.path("deleted_at").asText()).isEqualTo(everyone.data().path("deleted_at").asText());
        assertError(http.post(path + "/restore", bobToken, null), 403, "RESTORE_NOT_ALLOWED");
        Resp back = http.post(path + "/restore", aliceToken, null);
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.data().path("message").path("content").asText()).isEqualTo("delete me");
        assertThat(back.data().path("message").path("deleted_at").isNull()).isTrue();

        // hard delete by the chat owner of bob's message
        String bobs = sendOk(chatId, bobToken, Map.of("content", "bob's")).path("id").asText();
        Resp hard = http.delete(messages(chatId) + "/" + bobs + "?hard_delete=true", aliceToken);
        assertThat(hard.status()).as(hard.toString()).isEqualTo(200);
        assertThat(hard.data().path("deletion_type").asText()).isEqualTo("hard");
        assertThat(hard.data().path("can_restore").asBoolean()).isFalse();
        assertError(http.post(messages(chatId) + "/" + bobs + "/restore", aliceToken, null), 404, "MESSAGE_NOT_FOUND");
        assertThat(ids(http.get(messages(chatId), bobToken))).containsExactly(id);
    }

    // ------------------------------------------------------------------------------------------------ reactions

    @Test
    void reactionsOverHttp() {
        String chatId = chat();
        String id = sendOk(chatId, aliceToken, Map.of("content", "Can you analyze this data for me?")).path("id").asText();
        String path = messages(chatId) + "/" + id + "/reactions";
        Resp added = http.post(path, bobToken, Map.of("emoji", "👍", "action", "add"));
        assertThat(added.status()).as(added.toString()).isEqualTo(200);
        assertThat(added.json().path("message").asText()).isEqualTo("Reaction added successfully");
        assertThat(added.data().path("message_id").asText()).isEqualTo(id);
        assertThat(added.data().path("reaction").path("emoji").asText()).isEqualTo("👍");
        assertThat(added.data().path("reaction").path("user_id").asText()).isEqualTo(bob);
        assertThat(added.data().path("reaction").path("timestamp").asText()).endsWith("Z");
        JsonNode totals = added.data().path("total_reactions");
        assertThat(totals).hasSize(1);
        assertThat(totals.get(0).path("emoji").asText()).isEqualTo("👍");
        assertThat(totals.get(0).path("count").asInt()).isEqualTo(1);
        assertThat(totals.get(0).path("users").get(0).asText()).isEqualTo(bob);

        assertThat(http.post(path, bobToken, Map.of("emoji", "👍")).data().path("total_reactions").get(0).path("count").asInt())
                .isEqualTo(1);
        Resp two = http.post(path, aliceToken, Map.of("emoji", "👍"));
        assertThat(two.data().path("total_reactions").get(0).path("count").asInt()).isEqualTo(2);
        JsonNode listed = http.get(messages(chatId), aliceToken).data().path("messages").get(0).path("reactions");
        assertThat(listed).hasSize(2);
        assertThat(listed.get(0).path("user_id").asText()).isEqualTo(bob);

        Resp removed = http.post(path, bobToken, Map.of("emoji", "👍", "action", "remove"));
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().path("message").asText()).isEqualTo("Reaction removed successfully");
        assertThat(removed.data().path("total_reactions").get(0).path("users")).hasSize(1);

        assertError(http.post(path, bobToken, Map.of("emoji", "abc")), 400, "INVALID_REACTION");
        assertError(http.post(path, bobToken, Map.of("emoji", "")), 400, "INVALID_REACTION");
        assertError(http.post(path, bobToken, Map.of("emoji", "👍", "action", "toggle")), 400, "INVALID_REACTION");
        assertError(http.post(path, bobToken, "{}"), 400, "INVALID_REACTION");
    }
}
