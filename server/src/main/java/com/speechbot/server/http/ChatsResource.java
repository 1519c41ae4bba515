package com.speechbot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ApiResponse;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.chat.ChatService;
import com.speechbot.server.chat.ChatValidation;
import com.speechbot.server.chat.MemberAdded;
import com.speechbot.server.chat.MemberRemoved;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import io.netty.handler.codec.http.HttpMethod;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The chats API. Every route needs a token; everything under {@code /v1/chats/{chat_id}} answers 404 CHAT_NOT_FOUND
 * to non-members (and for malformed ids), so a chat's existence is never revealed.
 * <ul>
 *   <li>{@code POST /v1/chats} {title, bot_enabled?} → 201 {chat}; the caller is owner and first member.</li>
 *   <li>{@code GET /v1/chats?limit&offset} → 200 {chats, pagination}; newest activity first.</li>
 *   <li>{@code GET /v1/chats/{chat_id}} → 200 {chat}.</li>
 *   <li>{@code PATCH /v1/chats/{chat_id}} {title?, bot_enabled?} → 200 {chat}; owner only (403 NOT_CHAT_OWNER).</li>
 *   <li>{@code POST /v1/chats/{chat_id}/members} {user_id} → owner only; <b>201</b> when the user was added,
 *       <b>200</b> when already a member (nothing changes); data {chat_id, user_id, added, chat}.</li>
 *   <li>{@code DELETE /v1/chats/{chat_id}/members/{user_id}} → 200 {chat_id, user_id, removed}: the owner removes
 *       others, a member removes themselves (leaves); the owner cannot leave (400 INVALID_MEMBER).</li>
 * </ul>
 * Handlers validate on the event loop and throw {@link ApiException}; the database work runs in {@link ChatService}.
 */
public final class ChatsResource {

    private final ChatService chats;
    private final ServerConfig.Limits limits;

    public ChatsResource(ChatService chats, ServerConfig.Limits limits) {
        this.chats = chats;
        this.limits = limits;
    }

    public void register(Router router) {
        router.add(HttpMethod.POST, "/v1/chats", this::create);
        router.add(HttpMethod.GET, "/v1/chats", this::list);
        router.add(HttpMethod.GET, "/v1/chats/{chat_id}", this::get);
        router.add(HttpMethod.PATCH, "/v1/chats/{chat_id}", this::update);
        router.add(HttpMethod.POST, "/v1/chats/{chat_id}/members", this::addMember);
        router.add(HttpMethod.DELETE, "/v1/chats/{chat_id}/members/{user_id}", this::removeMember);
    }

    private CompletionStage<HttpResult> create(RequestContext rc) {
        JsonNode body = rc.jsonBody();
        Map<String, Object> errors = new LinkedHashMap<>();
        String title = title(body, true, errors);
        Boolean botEnabled = optionalBoolean(body, "bot_enabled", errors);
        throwIfInvalid(errors);
        return chats.create(rc.userId(), title, botEnabled == null || botEnabled)
                .thenApply(view -> HttpResult.created(ApiResponse.ok("Chat created", chatData(view))));
    }

    private CompletionStage<HttpResult> list(RequestContext rc) {
        int limit = rc.queryInt("limit", limits.defaultPageSize(), 1, limits.maxPageSize());
        int offset = rc.queryInt("offset", 0, 0, Integer.MAX_VALUE);
        return chats.list(rc.userId(), limit, offset).thenApply(page -> HttpResult.ok(ApiResponse.ok(page)));
    }

    private CompletionStage<HttpResult> get(RequestContext rc) {
        long chat = rc.chatNumber();
        return chats.get(rc.userId(), chat).thenApply(view -> HttpResult.ok(ApiResponse.ok(chatData(view))));
    }

    private CompletionStage<HttpResult> update(RequestContext rc) {
        long chat = rc.chatNumber();
        JsonNode body = rc.jsonBody();
        Map<String, Object> errors = new LinkedHashMap<>();
        String title = title(body, false, errors);
        Boolean botEnabled = optionalBoolean(body, "bot_enabled", errors);
        throwIfInvalid(errors);
        if (title == null && botEnabled == null) {
            throw ChatValidation.nothingToUpdate();
        }
        return chats.update(rc.userId(), chat, title, botEnabled)
                .thenApply(view -> HttpResult.ok(ApiResponse.ok("Chat updated", chatData(view))));
    }

    private CompletionStage<HttpResult> addMember(RequestContext rc) {
        long chat = rc.chatNumber();
        JsonNode node = rc.jsonBody().get("user_id");
        if (node != null && !node.isNull() && !node.isTextual()) {
            throw ApiException.field(ErrorCode.INVALID_MEMBER, "user_id must be a string", "user_id", "Must be a string");
        }
        String userId = ChatValidation.requireUserId(node == null || node.isNull() ? null : node.asText());
        return chats.addMember(rc.userId(), chat, userId).thenApply(ChatsResource::added);
    }

    private CompletionStage<HttpResult> removeMember(RequestContext rc) {
        long chat = rc.chatNumber();
        String userId = ChatValidation.requireUserId(rc.pathParam("user_id"));
        boolean leaving = userId.equals(rc.userId());
        return chats.removeMember(rc.userId(), chat, userId).thenApply(r -> removed(r, leaving));
    }

    private static HttpResult added(MemberAdded r) {
        return r.added()
                ? HttpResult.created(ApiResponse.ok("Member added", r))
                : HttpResult.ok(ApiResponse.ok("User is already a member", r));
    }

    private static HttpResult removed(MemberRemoved r, boolean leaving) {
        String message = !r.removed() ? "User is not a member" : leaving ? "Left the chat" : "Member removed";
        return HttpResult.ok(ApiResponse.ok(message, r));
    }

    private static Map<String, ChatView> chatData(ChatView view) {
        return Map.of("chat", view);
    }

    /** The trimmed title, or null when absent (and then an error if {@code required}); problems go to {@code errors}. */
    private String title(JsonNode body, boolean required, Map<String, Object> errors) {
        JsonNode node = body.get("title");
        if (node == null || node.isNull()) {
            if (required) {
                errors.put("title", List.of("Title is required"));
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.put("title", List.of("Title must be a string"));
            return null;
        }
        String title = node.asText().strip();
        String problem = ChatValidation.titleProblem(title, limits.maxTitleChars());
        if (problem != null) {
            errors.put("title", List.of(problem));
            return null;
        }
        return title;
    }

    /** A JSON boolean, or null when absent or null; anything else is an error in {@code errors}. */
    private static Boolean optionalBoolean(JsonNode body, String field, Map<String, Object> errors) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isBoolean()) {
            errors.put(field, List.of("Must be a boolean (true or false)"));
            return null;
        }
        return node.booleanValue();
    }

    @SuppressWarnings("unchecked")
    private static void throwIfInvalid(Map<String, Object> errors) {
        if (errors.isEmpty()) {
            return;
        }
        String message = errors.size() == 1
                ? ((List<String>) errors.values().iterator().next()).get(0)
                : "Invalid fields: " + String.join(", ", errors.keySet());
        throw new ApiException(ErrorCode.VALIDATION_ERROR, message, errors);
    }
}
