package com.speechbot.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.ApiResponse;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.SentMessage;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.message.EditRequest;
import com.speechbot.server.message.MessageQuery;
import com.speechbot.server.message.MessageService;
import com.speechbot.server.message.Reactions;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.message.SendCommandParser;
import com.speechbot.server.message.SendOutcome;
import io.netty.handler.codec.http.HttpMethod;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** REST routes of messages: list, send, edit, delete, restore and reactions. Validation happens here, on the event loop. */
public final class MessagesResource {

    private static final int MAX_THREAD_ID_CHARS = SendCommandParser.MAX_THREAD_ID_CHARS;

    private final MessageService service;
    private final SendCommandParser parser;

    public MessagesResource(MessageService service, SendCommandParser parser) {
        this.service = service;
        this.parser = parser;
    }

    public void register(Router router) {
        router.add(HttpMethod.GET, "/v1/chats/{chat_id}/messages", this::list);
        router.add(HttpMethod.POST, "/v1/chats/{chat_id}/messages", this::send);
        router.add(HttpMethod.PUT, "/v1/chats/{chat_id}/messages/{message_id}", this::edit);
        router.add(HttpMethod.DELETE, "/v1/chats/{chat_id}/messages/{message_id}", this::delete);
        router.add(HttpMethod.POST, "/v1/chats/{chat_id}/messages/{message_id}/restore", this::restore);
        router.add(HttpMethod.POST, "/v1/chats/{chat_id}/messages/{message_id}/reactions", this::react);
    }

    private CompletableFuture<HttpResult> list(RequestContext req) {
        long chat = req.chatNumber();
        int limit = req.queryInt("limit", parser.limits().defaultPageSize(), 1, parser.limits().maxPageSize());
        int offset = req.queryInt("offset", 0, 0, Integer.MAX_VALUE);
        Long before = cursor(req, chat, "before");
        Long after = cursor(req, chat, "after");
        boolean asc = "asc".equals(req.queryEnum("order", "desc", "asc", "desc"));
        String thread = req.query("thread_id").orElse(null);
        if (thread != null && (thread.isEmpty() || thread.length() > MAX_THREAD_ID_CHARS)) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter 'thread_id'", "thread_id",
                    "Must be 1.." + MAX_THREAD_ID_CHARS + " characters");
        }
        MessageQuery q = new MessageQuery(limit, offset, before, after, asc, thread);
        return service.list(chat, req.userId(), q).thenApply(page -> HttpResult.ok(ApiResponse.ok(page)));
    }

    private static Long cursor(RequestContext req, long chat, String name) {
        Optional<String> raw = req.query(name);
        if (raw.isEmpty() || raw.get().isEmpty()) {
            return null;
        }
        Ids.MessageKey key = Ids.parseMessageId(raw.get().trim());
        if (key == null || key.chat() != chat) {
            throw ApiException.field(ErrorCode.INVALID_PARAMETER, "Invalid query parameter '" + name + "'", name,
                    "Must be a message id of this chat");
        }
        return key.seq();
    }

    private CompletableFuture<HttpResult> send(RequestContext req) {
        long chat = req.chatNumber();
        SendCommand cmd = parser.parse(req.jsonBody(), req.userId());
        return service.send(chat, cmd).thenApply(outcome -> switch (outcome.kind()) {
            case STORED -> HttpResult.created(ApiResponse.ok("Message sent successfully",
                    new SentMessage(outcome.view(), outcome.chatUpdated())));
            case EXISTING -> HttpResult.ok(ApiResponse.ok("Message sent successfully",
                    new SentMessage(outcome.view(), outcome.chatUpdated())));
            case FAILED -> throw outcome.error();
        });
    }

    private CompletableFuture<HttpResult> edit(RequestContext req) {
        long chat = req.chatNumber();
        long seq = seqOrZero(req, chat);
        EditRequest edit = parser.parseEdit(req.jsonBody());
        return service.edit(chat, seq, req.userId(), edit)
                .thenApply(view -> HttpResult.ok(ApiResponse.ok("Message updated successfully", Map.of("message", view))));
    }

    private CompletableFuture<HttpResult> delete(RequestContext req) {
        long chat = req.chatNumber();
        long seq = seqOrZero(req, chat);
        boolean hard = req.queryBoolean("hard_delete", false);
        String deleteFor = req.queryEnum("delete_for", "me", "me", "everyone");
        return service.delete(chat, seq, req.userId(), hard, deleteFor)
                .thenApply(result -> HttpResult.ok(ApiResponse.ok("Message deleted successfully", result)));
    }

    private CompletableFuture<HttpResult> restore(RequestContext req) {
        long chat = req.chatNumber();
        long seq = seqOrZero(req, chat);
        return service.restore(chat, seq, req.userId())
                .thenApply(view -> HttpResult.ok(ApiResponse.ok("Message restored successfully", Map.of("message", view))));
    }

    private CompletableFuture<HttpResult> react(RequestContext req) {
        long chat = req.chatNumber();
        long seq = seqOrZero(req, chat);
        Reactions.Request r = Reactions.parse(req.jsonBody());
        return service.react(chat, seq, req.userId(), r.emoji(), r.action())
                .thenApply(result -> HttpResult.ok(ApiResponse.ok(
                        "add".equals(r.action()) ? "Reaction added successfully" : "Reaction removed successfully", result)));
    }

    /**
     * The message's seq, or 0 (never a real seq) for an id that is malformed or of another chat: the store then checks
     * membership first, so a non-member learns "chat not found" rather than anything about message ids.
     */
    private static long seqOrZero(RequestContext req, long chat) {
        try {
            return req.messageSeq(chat);
        } catch (ApiException e) {
            return 0;
        }
    }
}
