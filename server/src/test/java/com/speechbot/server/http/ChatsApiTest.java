package com.speechbot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestHttp.Resp;
import com.speechbot.server.TestServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chats routes over real HTTP against the shared test server (its default limits: 200-char titles, pages of 50..200). */
class ChatsApiTest {

    private static TestServer server;
    private static TestHttp http;

    @BeforeAll
    static void start() {
        server = TestServer.shared();
        http = server.http();
    }

    /** A fresh user and a token for them. */
    private record User(String id, String token) {
        static User create(String prefix) {
            String id = TestServer.newUser(prefix);
            return new User(id, server.token(id));
        }
    }

    private static Map<String, Object> body(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String createChat(User owner, String title) {
        Resp r = http.post("/v1/chats", owner.token(), body("title", title));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.data().path("chat").path("id").asText();
    }

    private static void expectError(Resp r, int status, String code) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.json()).as(r.toString()).isNotNull();
        assertThat(r.json().path("success").asBoolean(true)).isFalse();
        assertThat(r.error()).as(r.toString()).isEqualTo(code);
    }

    private static List<String> ids(Resp list) {
        List<String> ids = new ArrayList<>();
        list.data().path("chats").forEach(c -> ids.add(c.path("id").asText()));
        return ids;
    }

    @Test
    void everyRouteNeedsAToken() {
        User alice = User.create("alice");
        String chat = createChat(alice, "Locked");
        List<Resp> anonymous = List.of(
                http.post("/v1/chats", null, body("title", "x")),
                http.get("/v1/chats", null),
                http.get("/v1/chats/" + chat, null),
                http.patch("/v1/chats/" + chat, null, body("title", "y")),
                http.post("/v1/chats/" + chat + "/members", null, body("user_id", "bob")),
                http.delete("/v1/chats/" + chat + "/members/" + alice.id(), null));
        for (Resp r : anonymous) {
            expectError(r, 401, "AUTH_REQUIRED");
        }
        expectError(http.get("/v1/chats", "not-a-jwt"), 401, "INVALID_TOKEN");
        // nothing was changed by the anonymous calls
        JsonNode c = http.get("/v1/chats/" + chat, alice.token()).data().path("chat");
        assertThat(c.path("title").asText()).isEqualTo("Locked");
        assertThat(c.path("members").size()).isEqualTo(1);
    }

    @Test
    void createReturns201WithTheChat() {
        User alice = User.create("alice");
        Resp r = http.post("/v1/chats", alice.token(), body("title", "  Data Analysis Discussion  "));
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.json().path("success").asBoolean()).isTrue();
        assertThat(r.json().path("message").asText()).isEqualTo("Chat created");
        JsonNode chat = r.data().path("chat");
        assertThat(chat.path("id").asText()).matches("chat_\\d+");
        assertThat(chat.path("title").asText()).isEqualTo("Data Analysis Discussion");
        assertThat(chat.path("owner_id").asText()).isEqualTo(alice.id());
        assertThat(chat.path("bot_enabled").asBoolean()).isTrue();
        assertThat(chat.path("message_count").asLong()).isZero();
        assertThat(chat.has("last_message_id")).isTrue();
        assertThat(chat.path("last_message_id").isNull()).isTrue();
        assertThat(chat.path("created_at").asText()).endsWith("Z");
        assertThat(chat.path("updated_at").asText()).isEqualTo(chat.path("created_at").asText());
        assertThat(chat.path("members").toString()).isEqualTo("[\"" + alice.id() + "\"]");

        Resp quiet = http.post("/v1/chats", alice.token(), body("title", "Quiet", "bot_enabled", false));
        assertThat(quiet.status()).isEqualTo(201);
        assertThat(quiet.data().path("chat").path("bot_enabled").asBoolean()).isFalse();
        assertThat(quiet.data().path("chat").path("id").asText()).isNotEqualTo(chat.path("id").asText());

        assertThat(http.post("/v1/chats", alice.token(), body("title", "t".repeat(200))).status()).isEqualTo(201);
    }

    @Test
    void createValidatesTitleAndBotEnabled() {
        User alice = User.create("alice");
        String path = "/v1/chats";

        Resp missing = http.post(path, alice.token(), body());
        expectError(missing, 400, "VALIDATION_ERROR");
        assertThat(missing.json().path("details").path("title").get(0).asText()).isEqualTo("Title is required");

        expectError(http.post(path, alice.token(), body("title", "   ")), 400, "VALIDATION_ERROR");
        expectError(http.post(path, alice.token(), body("title", null)), 400, "VALIDATION_ERROR");
        Resp tooLong = http.post(path, alice.token(), body("title", "t".repeat(201)));
        expectError(tooLong, 400, "VALIDATION_ERROR");
        assertThat(tooLong.json().path("details").path("title").get(0).asText()).contains("200");
        Resp notString = http.post(path, alice.token(), body("title", 42));
        expectError(notString, 400, "VALIDATION_ERROR");
        assertThat(notString.json().path("details").has("title")).isTrue();

        Resp badFlag = http.post(path, alice.token(), body("title", "ok", "bot_enabled", "yes"));
        expectError(badFlag, 400, "VALIDATION_ERROR");
        assertThat(badFlag.json().path("details").path("bot_enabled").isArray()).isTrue();
        assertThat(badFlag.json().path("details").has("title")).isFalse();

        Resp both = http.post(path, alice.token(), body("title", "", "bot_enabled", 1));
        expectError(both, 400, "VALIDATION_ERROR");
        assertThat(both.json().path("details").has("title")).isTrue();
        assertThat(both.json().path("details").has("bot_enabled")).isTrue();

        expectError(http.post(path, alice.token(), "{\"title\":"), 400, "INVALID_JSON");
        expectError(http.post(path, alice.token(), "[]"), 400, "INVALID_JSON");
        expectError(http.send("POST", path, alice.token(), null), 400, "INVALID_JSON");

        assertThat(http.get(path, alice.token()).data().path("pagination").path("total").asLong()).isZero();
    }

    @Test
    void listShowsTheCallersChatsNewestActivityFirstWithPagination() {
        User alice = User.create("alice");
        User bob = User.create("bob");
        String a = createChat(alice, "A");
        String b = createChat(alice, "B");
        String c = createChat(alice, "C");
        String bobs = createChat(bob, "Bob's");

        Resp all = http.get("/v1/chats", alice.token());
        assertThat(all.status()).isEqualTo(200);
        assertThat(all.json().path("success").asBoolean()).isTrue();
        assertThat(ids(all)).containsExactly(c, b, a);
        JsonNode p = all.data().path("pagination");
        assertThat(p.path("total").asLong()).isEqualTo(3);
        assertThat(p.path("returned").asInt()).isEqualTo(3);
        assertThat(p.path("has_more").asBoolean()).isFalse();
        assertThat(p.has("next_offset")).isTrue();
        assertThat(p.path("next_offset").isNull()).isTrue();
        assertThat(all.data().path("chats").get(0).path("members").isArray()).isTrue();

        // renaming is activity: the chat moves to the top
        assertThat(http.patch("/v1/chats/" + a, alice.token(), body("title", "A2")).status()).isEqualTo(200);
        assertThat(ids(http.get("/v1/chats", alice.token()))).containsExactly(a, c, b);

        Resp first = http.get("/v1/chats?limit=2", alice.token());
        assertThat(ids(first)).containsExactly(a, c);
        assertThat(first.data().path("pagination").path("has_more").asBoolean()).isTrue();
        assertThat(first.data().path("pagination").path("next_offset").asInt()).isEqualTo(2);
        assertThat(first.data().path("pagination").path("returned").asInt()).isEqualTo(2);
        Resp second = http.get("/v1/chats?limit=2&offset=2", alice.token());
        assertThat(ids(second)).containsExactly(b);
        assertThat(second.data().path("pagination").path("has_more").asBoolean()).isFalse();
        assertThat(second.data().path("pagination").path("next_offset").isNull()).isTrue();
        Resp beyond = http.get("/v1/chats?offset=50", alice.token());
        assertThat(ids(beyond)).isEmpty();
        assertThat(beyond.data().path("pagination").path("total").asLong()).isEqualTo(3);

        assertThat(ids(http.get("/v1/chats", bob.token()))).containsExactly(bobs);
        assertThat(ids(http.get("/v1/chats?limit=200", bob.token()))).containsExactly(bobs);

        expectError(http.get("/v1/chats?limit=0", alice.token()), 400, "INVALID_PARAMETER");
        expectError(http.get("/v1/chats?limit=201", alice.token()), 400, "INVALID_PARAMETER");
        expectError(http.get("/v1/chats?limit=ten", alice.token()), 400, "INVALID_PARAMETER");
        expectError(http.get("/v1/chats?offset=-1", alice.token()), 400, "INVALID_PARAMETER");
    }

    @Test
    void getShowsTheChatToMembersOnly() {
        User alice = User.create("alice");
        User mallory = User.create("mallory");
        String chat = createChat(alice, "Private");

        Resp ok = http.get("/v1/chats/" + chat, alice.token());
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.data().path("chat").path("id").asText()).isEqualTo(chat);
        assertThat(ok.data().path("chat").path("title").asText()).isEqualTo("Private");

        expectError(http.get("/v1/chats/" + chat, mallory.token()), 404, "CHAT_NOT_FOUND");
        String unknown = "chat_" + (Long.parseLong(chat.substring(5)) + 1_000_000_000L);
        expectError(http.get("/v1/chats/" + unknown, alice.token()), 404, "CHAT_NOT_FOUND");
        for (String malformed : List.of("abc", "chat_", "chat_x1", "chat_0", "chat_-5", "msg_1_1")) {
            expectError(http.get("/v1/chats/" + malformed, alice.token()), 404, "CHAT_NOT_FOUND");
        }
    }

    @Test
    void patchIsForTheOwner() {
        User alice = User.create("alice");
        User bob = User.create("bob");
        User mallory = User.create("mallory");
        String chat = createChat(alice, "Team");
        assertThat(http.post("/v1/chats/" + chat + "/members", alice.token(), body("user_id", bob.id())).status())
                .isEqualTo(201);

        Resp renamed = http.patch("/v1/chats/" + chat, alice.token(), body("title", "  Team 2 "));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        assertThat(renamed.json().path("message").asText()).isEqualTo("Chat updated");
        JsonNode c = renamed.data().path("chat");
        assertThat(c.path("title").asText()).isEqualTo("Team 2");
        assertThat(c.path("bot_enabled").asBoolean()).isTrue();
        assertThat(c.path("members").size()).isEqualTo(2);

        Resp muted = http.patch("/v1/chats/" + chat, alice.token(), body("bot_enabled", false));
        assertThat(muted.status()).isEqualTo(200);
        assertThat(muted.data().path("chat").path("bot_enabled").asBoolean()).isFalse();
        assertThat(muted.data().path("chat").path("title").asText()).isEqualTo("Team 2");

        Resp both = http.patch("/v1/chats/" + chat, alice.token(), body("title", "Team 3", "bot_enabled", true));
        assertThat(both.data().path("chat").path("title").asText()).isEqualTo("Team 3");
        assertThat(both.data().path("chat").path("bot_enabled").asBoolean()).isTrue();

        expectError(http.patch("/v1/chats/" + chat, bob.token(), body("title", "Bob's")), 403, "NOT_CHAT_OWNER");
        expectError(http.patch("/v1/chats/" + chat, bob.token(), body("bot_enabled", false)), 403, "NOT_CHAT_OWNER");
        expectError(http.patch("/v1/chats/" + chat, mallory.token(), body("title", "Mine")), 404, "CHAT_NOT_FOUND");
        expectError(http.patch("/v1/chats/chat_nope", alice.token(), body("title", "x")), 404, "CHAT_NOT_FOUND");

        Resp empty = http.patch("/v1/chats/" + chat, alice.token(), body());
        expectError(empty, 400, "VALIDATION_ERROR");
        assertThat(empty.json().path("details").isObject()).isTrue();
        expectError(http.patch("/v1/chats/" + chat, alice.token(), body("title", " ")), 400, "VALIDATION_ERROR");
        expectError(http.patch("/v1/chats/" + chat, alice.token(), body("title", "t".repeat(201))), 400, "VALIDATION_ERROR");
        expectError(http.patch("/v1/chats/" + chat, alice.token(), body("bot_enabled", "no")), 400, "VALIDATION_ERROR");
        expectError(http.patch("/v1/chats/" + chat, alice.token(), "nope"), 400, "INVALID_JSON");

        JsonNode after = http.get("/v1/chats/" + chat, bob.token()).data().path("chat");
        assertThat(after.path("title").asText()).isEqualTo("Team 3");
        assertThat(after.path("bot_enabled").asBoolean()).isTrue();
    }

    @Test
    void ownerAddsMembers201ThenNoOp200() {
        User alice = User.create("alice");
        User bob = User.create("bob");
        User carol = User.create("carol");
        User mallory = User.create("mallory");
        String chat = createChat(alice, "Members");
        String members = "/v1/chats/" + chat + "/members";

        Resp added = http.post(members, alice.token(), body("user_id", bob.id()));
        assertThat(added.status()).as(added.toString()).isEqualTo(201);
        assertThat(added.data().path("chat_id").asText()).isEqualTo(chat);
        assertThat(added.data().path("user_id").asText()).isEqualTo(bob.id());
        assertThat(added.data().path("added").asBoolean()).isTrue();
        List<String> expected = new ArrayList<>(List.of(alice.id(), bob.id()));
        expected.sort(null);
        List<String> shown = new ArrayList<>();
        added.data().path("chat").path("members").forEach(m -> shown.add(m.asText()));
        assertThat(shown).isEqualTo(expected);

        Resp again = http.post(members, alice.token(), body("user_id", bob.id()));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.data().path("added").asBoolean()).isFalse();
        assertThat(again.data().path("chat").path("members").size()).isEqualTo(2);

        // the new member sees the chat
        assertThat(http.get("/v1/chats/" + chat, bob.token()).status()).isEqualTo(200);
        assertThat(ids(http.get("/v1/chats", bob.token()))).contains(chat);

        expectError(http.post(members, bob.token(), body("user_id", carol.id())), 403, "NOT_CHAT_OWNER");
        expectError(http.post(members, mallory.token(), body("user_id", mallory.id())), 404, "CHAT_NOT_FOUND");
        expectError(http.post("/v1/chats/chat_0/members", alice.token(), body("user_id", carol.id())), 404, "CHAT_NOT_FOUND");

        Resp noId = http.post(members, alice.token(), body());
        expectError(noId, 400, "INVALID_MEMBER");
        assertThat(noId.json().path("details").has("user_id")).isTrue();
        expectError(http.post(members, alice.token(), body("user_id", "  ")), 400, "INVALID_MEMBER");
        expectError(http.post(members, alice.token(), body("user_id", 7)), 400, "INVALID_MEMBER");
        expectError(http.post(members, alice.token(), body("user_id", "u".repeat(201))), 400, "INVALID_MEMBER");
        assertThat(http.post(members, alice.token(), body("user_id", "u".repeat(200))).status()).isEqualTo(201);
        expectError(http.post(members, alice.token(), "{"), 400, "INVALID_JSON");
        assertThat(http.get("/v1/chats/" + chat, alice.token()).data().path("chat").path("members").size()).isEqualTo(3);
    }

    @Test
    void membersLeaveAndTheOwnerRemovesOthers() {
        User alice = User.create("alice");
        User bob = User.create("bob");
        User carol = User.create("carol");
        User mallory = User.create("mallory");
        String chat = createChat(alice, "Leaving");
        String members = "/v1/chats/" + chat + "/members";
        http.post(members, alice.token(), body("user_id", bob.id()));
        http.post(members, alice.token(), body("user_id", carol.id()));

        // a member may not remove someone else; an outsider learns nothing
        expectError(http.delete(members + "/" + carol.id(), bob.token()), 403, "NOT_CHAT_OWNER");
        expectError(http.delete(members + "/" + alice.id(), bob.token()), 403, "NOT_CHAT_OWNER");
        expectError(http.delete(members + "/" + mallory.id(), mallory.token()), 404, "CHAT_NOT_FOUND");
        expectError(http.delete(members + "/" + bob.id(), mallory.token()), 404, "CHAT_NOT_FOUND");
        expectError(http.delete("/v1/chats/bogus/members/" + bob.id(), alice.token()), 404, "CHAT_NOT_FOUND");

        Resp left = http.delete(members + "/" + bob.id(), bob.token());
        assertThat(left.status()).as(left.toString()).isEqualTo(200);
        assertThat(left.data().path("chat_id").asText()).isEqualTo(chat);
        assertThat(left.data().path("user_id").asText()).isEqualTo(bob.id());
        assertThat(left.data().path("removed").asBoolean()).isTrue();
        expectError(http.get("/v1/chats/" + chat, bob.token()), 404, "CHAT_NOT_FOUND");
        expectError(http.delete(members + "/" + bob.id(), bob.token()), 404, "CHAT_NOT_FOUND");
        assertThat(ids(http.get("/v1/chats", bob.token()))).doesNotContain(chat);

        Resp ownerLeaves = http.delete(members + "/" + alice.id(), alice.token());
        expectError(ownerLeaves, 400, "INVALID_MEMBER");
        assertThat(ownerLeaves.json().path("details").path("user_id").get(0).asText()).isEqualTo("owner cannot leave");

        Resp removed = http.delete(members + "/" + carol.id(), alice.token());
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.data().path("removed").asBoolean()).isTrue();
        Resp notMember = http.delete(members + "/" + carol.id(), alice.token());
        assertThat(notMember.status()).isEqualTo(200);
        assertThat(notMember.data().path("removed").asBoolean()).isFalse();
        expectError(http.get("/v1/chats/" + chat, carol.token()), 404, "CHAT_NOT_FOUND");

        expectError(http.delete(members + "/%20", alice.token()), 400, "INVALID_MEMBER");
        expectError(http.delete(members + "/" + "u".repeat(201), alice.token()), 400, "INVALID_MEMBER");

        JsonNode c = http.get("/v1/chats/" + chat, alice.token()).data().path("chat");
        assertThat(c.path("members").toString()).isEqualTo("[\"" + alice.id() + "\"]");
    }

    @Test
    void memberIdsAreDecodedFromThePath() {
        User alice = User.create("alice");
        String chat = createChat(alice, "Encoded");
        String members = "/v1/chats/" + chat + "/members";
        String odd = "ann smith@example.com";
        assertThat(http.post(members, alice.token(), body("user_id", odd)).status()).isEqualTo(201);

        Resp removed = http.delete(members + "/ann%20smith%40example.com", alice.token());
        assertThat(removed.status()).as(removed.toString()).isEqualTo(200);
        assertThat(removed.data().path("user_id").asText()).isEqualTo(odd);
        assertThat(removed.data().path("removed").asBoolean()).isTrue();
    }
}
