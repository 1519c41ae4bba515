package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;
import com.speechbot.server.config.ServerConfig;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chats API as futures: every call runs its {@link ChatStore} work on the database executor, so it is safe to
 * call from an event loop. Failures complete the future exceptionally with an
 * {@link com.speechbot.server.error.ApiException} (client errors), a {@link RejectedExecutionException} (executor
 * full, a 503) or anything else (a 500). Committed changes are reported to the {@link ChatListener} before the future
 * completes.
 */
public final class ChatService {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    private final ChatStore store;
    private final Executor dbExecutor;
    private final ServerConfig.Limits limits;
    private final ChatListener listener;

    public ChatService(Jdbi jdbi, Executor dbExecutor, ServerConfig.Limits limits) {
        this(jdbi, dbExecutor, limits, ChatListener.NONE);
    }

    public ChatService(Jdbi jdbi, Executor dbExecutor, ServerConfig.Limits limits, ChatListener listener) {
        this.store = new ChatStore(Objects.requireNonNull(jdbi, "jdbi"));
        this.dbExecutor = Objects.requireNonNull(dbExecutor, "dbExecutor");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.listener = listener == null ? ChatListener.NONE : listener;
    }

    /** The blocking store (for other stores' transactions, via {@link ChatStore#requireMember}); DB threads only. */
    public ChatStore store() {
        return store;
    }

    /** Creates a chat owned by {@code userId}; the title is trimmed and checked (400 VALIDATION_ERROR). */
    public CompletableFuture<ChatView> create(String userId, String title, boolean botEnabled) {
        String clean;
        try {
            clean = ChatValidation.requireTitle(title, limits.maxTitleChars());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async(() -> {
            ChatDetails d = store.create(userId, clean, botEnabled);
            notifyChat(d.row());
            notifyMembers(d.row().id());
            return d.view();
        });
    }

    /** Owner-only change of title and/or bot_enabled (null = unchanged; at least one must be given). */
    public CompletableFuture<ChatView> update(String userId, long chat, String title, Boolean botEnabled) {
        String clean;
        try {
            if (title == null && botEnabled == null) {
                throw ChatValidation.nothingToUpdate();
            }
            clean = title == null ? null : ChatValidation.requireTitle(title, limits.maxTitleChars());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async(() -> {
            ChatDetails d = store.update(userId, chat, clean, botEnabled);
            notifyChat(d.row());
            return d.view();
        });
    }

    /** The chat, for members (CHAT_NOT_FOUND otherwise). */
    public CompletableFuture<ChatView> get(String userId, long chat) {
        return async(() -> store.get(userId, chat).view());
    }

    /** A page of the caller's chats, newest activity first; {@code limit} is clamped to 1..max_page_size. */
    public CompletableFuture<ChatPage> list(String userId, int limit, int offset) {
        int size = Math.max(1, Math.min(limit, limits.maxPageSize()));
        int from = Math.max(0, offset);
        return async(() -> store.list(userId, size, from));
    }

    /** Owner-only; adding an existing member is a no-op reported as {@code added = false}. */
    public CompletableFuture<MemberAdded> addMember(String userId, long chat, String memberId) {
        try {
            ChatValidation.requireUserId(memberId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async(() -> {
            MemberAdded r = store.addMember(userId, chat, memberId);
            if (r.added()) {
                notifyMembers(chat);
            }
            return r;
        });
    }

    /** The owner removes someone else, or a member leaves; see {@link ChatStore#removeMember}. */
    public CompletableFuture<MemberRemoved> removeMember(String userId, long chat, String memberId) {
        try {
            ChatValidation.requireUserId(memberId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async(() -> {
            MemberRemoved r = store.removeMember(userId, chat, memberId);
            if (r.removed()) {
                notifyMembers(chat);
            }
            return r;
        });
    }

    public CompletableFuture<Boolean> isMember(long chat, String userId) {
        return async(() -> store.isMember(chat, userId));
    }

    /** Sorted member ids; empty for an unknown chat. */
    public CompletableFuture<List<String>> members(long chat) {
        return async(() -> store.members(chat));
    }

    /** The chat row or null, without any membership check (internal callers). */
    public CompletableFuture<ChatRow> find(long chat) {
        return async(() -> store.find(chat));
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, dbExecutor);
        } catch (RejectedExecutionException e) {
            // as a failed future, so the caller's error path (503) is the same as for any other failure
            return CompletableFuture.failedFuture(e);
        }
    }

    private void notifyChat(ChatRow row) {
        try {
            listener.chatChanged(row.id(), row);
        } catch (RuntimeException e) {
            log.warn("chat listener failed for chat {}", row.id(), e);
        }
    }

    private void notifyMembers(long chat) {
        try {
            listener.membersChanged(chat);
        } catch (RuntimeException e) {
            log.warn("chat listener failed for chat {}", chat, e);
        }
    }
}
