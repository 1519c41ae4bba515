package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.server.error.ApiException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Chats and memberships in PostgreSQL. BLOCKING: call only on the database executor (see {@link ChatService} for
 * the asynchronous façade). Authorization lives here, inside the transactions: a caller who is not a member of a
 * chat gets {@link ApiException#chatNotFound()} whether or not the chat exists.
 */
public final class ChatStore {

    /** Attempts at allocating a chat number before giving up; each lost race moves past the winner's number. */
    private static final int MAX_ID_ATTEMPTS = 100;

    private static final String COLUMNS =
            "c.id, c.title, c.owner_id, c.bot_enabled, c.created_at, c.updated_at, c.last_seq, c.message_count";

    /** Columns plus the member ids, so a chat and its members come from one statement (one snapshot). */
    private static final String DETAILS = "SELECT " + COLUMNS
            + ", ARRAY(SELECT m.user_id FROM chat_members m WHERE m.chat_id = c.id) AS members FROM chats c";

    private static final String IS_MEMBER =
            "EXISTS (SELECT 1 FROM chat_members me WHERE me.chat_id = c.id AND me.user_id = :user)";

    /**
     * The chat number is the creation time in epoch milliseconds (ids look like {@code chat_1684761234567}), bumped
     * past the largest existing number so it is unique; a concurrent insert that took the same number makes this
     * one return no row (no error, the transaction stays usable) and the caller tries again with a fresh snapshot.
     */
    private static final String INSERT_CHAT = "INSERT INTO chats AS c (id, title, owner_id, bot_enabled, created_at, updated_at)"
            + " VALUES (greatest(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint,"
            + " (SELECT coalesce(max(id), 0) + 1 FROM chats)), :title, :owner, :bot, now(), now())"
            + " ON CONFLICT (id) DO NOTHING RETURNING " + COLUMNS;

    static final RowMapper<ChatRow> ROW = (rs, ctx) -> row(rs);

    private static final RowMapper<ChatDetails> DETAILS_ROW = (rs, ctx) -> {
        Array array = rs.getArray("members");
        String[] members = array == null ? new String[0] : (String[]) array.getArray();
        Arrays.sort(members);
        return new ChatDetails(row(rs), Arrays.asList(members));
    };

    private final Jdbi jdbi;

    public ChatStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Creates a chat owned by {@code ownerId}, who becomes its first member. {@code title} must be validated. */
    public ChatDetails create(String ownerId, String title, boolean botEnabled) {
        return jdbi.inTransaction(h -> {
            ChatRow row = null;
            for (int attempt = 0; row == null; attempt++) {
                if (attempt == MAX_ID_ATTEMPTS) {
                    throw new IllegalStateException("could not allocate a chat id after " + MAX_ID_ATTEMPTS + " attempts");
                }
                row = h.createQuery(INSERT_CHAT)
                        .bind("title", title)
                        .bind("owner", ownerId)
                        .bind("bot", botEnabled)
                        .map(ROW)
                        .findOne()
                        .orElse(null);
            }
            h.createUpdate("INSERT INTO chat_members (chat_id, user_id, joined_at) VALUES (:chat, :user, now())")
                    .bind("chat", row.id())
                    .bind("user", ownerId)
                    .execute();
            return new ChatDetails(row, List.of(ownerId));
        });
    }

    /**
     * Changes the title and/or bot_enabled (null = unchanged) and bumps updated_at; owner only.
     *
     * @throws ApiException CHAT_NOT_FOUND for non-members, NOT_CHAT_OWNER for other members
     */
    public ChatDetails update(String userId, long chat, String title, Boolean botEnabled) {
        return jdbi.inTransaction(h -> {
            ChatRow row = requireMember(h, chat, userId);
            requireOwner(row, userId, "Only the chat owner can change the chat");
            h.createUpdate("UPDATE chats SET title = coalesce(CAST(:title AS text), title),"
                            + " bot_enabled = coalesce(CAST(:bot AS boolean), bot_enabled),"
                            + " updated_at = greatest(updated_at, now()) WHERE id = :chat")
                    .bind("title", title)
                    .bind("bot", botEnabled)
                    .bind("chat", chat)
                    .execute();
            return details(h, chat);
        });
    }

    /** The chat with its members, for a member; CHAT_NOT_FOUND for anyone else. */
    public ChatDetails get(String userId, long chat) {
        return jdbi.withHandle(h -> h.createQuery(DETAILS + " WHERE c.id = :chat AND " + IS_MEMBER)
                .bind("chat", chat)
                .bind("user", userId)
                .map(DETAILS_ROW)
                .findOne()
                .orElseThrow(ApiException::chatNotFound));
    }

    /** The chats {@code userId} is a member of, newest activity ({@code updated_at}) first, ties by newest id. */
    public ChatPage list(String userId, int limit, int offset) {
        if (limit < 1 || offset < 0) {
            throw new IllegalArgumentException("limit must be >= 1 and offset >= 0");
        }
        // one snapshot for the count and the page, so total and has_more agree with the rows returned
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            long total = h.createQuery("SELECT count(*) FROM chat_members WHERE user_id = :user")
                    .bind("user", userId)
                    .mapTo(Long.class)
                    .one();
            List<ChatView> chats = new ArrayList<>();
            if (offset < total) {
                h.createQuery(DETAILS + " WHERE " + IS_MEMBER
                                + " ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit OFFSET :offset")
                        .bind("user", userId)
                        .bind("limit", limit)
                        .bind("offset", offset)
                        .map(DETAILS_ROW)
                        .forEach(d -> chats.add(d.view()));
            }
            return new ChatPage(chats, ChatPage.Pagination.of(total, offset, chats.size()));
        });
    }

    /**
     * Adds {@code memberId} (any id: there is no user registry); owner only. Adding an existing member changes nothing
     * and reports {@code added = false}.
     *
     * @throws ApiException CHAT_NOT_FOUND for non-members, NOT_CHAT_OWNER for other members
     */
    public MemberAdded addMember(String userId, long chat, String memberId) {
        return jdbi.inTransaction(h -> {
            ChatRow row = requireMember(h, chat, userId);
            requireOwner(row, userId, "Only the chat owner can add members");
            int inserted = h.createUpdate("INSERT INTO chat_members (chat_id, user_id, joined_at) VALUES (:chat, :user, now())"
                            + " ON CONFLICT (chat_id, user_id) DO NOTHING")
                    .bind("chat", chat)
                    .bind("user", memberId)
                    .execute();
            return new MemberAdded(Ids.chatId(chat), memberId, inserted > 0, details(h, chat).view());
        });
    }

    /**
     * Removes {@code memberId}: the owner may remove anyone but themselves, any member may remove themselves (leave).
     * Removing a non-member reports {@code removed = false}.
     *
     * @throws ApiException CHAT_NOT_FOUND for non-members, INVALID_MEMBER when the owner tries to leave,
     *                      NOT_CHAT_OWNER when a member tries to remove someone else
     */
    public MemberRemoved removeMember(String userId, long chat, String memberId) {
        return jdbi.inTransaction(h -> {
            ChatRow row = requireMember(h, chat, userId);
            if (memberId.equals(userId)) {
                if (row.isOwner(userId)) {
                    throw ApiException.field(ErrorCode.INVALID_MEMBER, "The owner cannot leave the chat", "user_id",
                            "owner cannot leave");
                }
            } else {
                requireOwner(row, userId, "Only the chat owner can remove other members");
            }
            int deleted = h.createUpdate("DELETE FROM chat_members WHERE chat_id = :chat AND user_id = :user")
                    .bind("chat", chat)
                    .bind("user", memberId)
                    .execute();
            return new MemberRemoved(Ids.chatId(chat), memberId, deleted > 0);
        });
    }

    /** The chat row, or null when there is no such chat. No membership check: for internal callers only. */
    public ChatRow find(long chat) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM chats c WHERE c.id = :chat")
                .bind("chat", chat)
                .map(ROW)
                .findOne()
                .orElse(null));
    }

    public boolean isMember(long chat, String userId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT EXISTS (SELECT 1 FROM chat_members WHERE chat_id = :chat AND user_id = :user)")
                .bind("chat", chat)
                .bind("user", userId)
                .mapTo(Boolean.class)
                .one());
    }

    /** The member ids of {@code chat}, sorted; empty when the chat does not exist. */
    public List<String> members(long chat) {
        return jdbi.withHandle(h -> members(h, chat));
    }

    /** {@link #members(long)} inside the caller's transaction. */
    public List<String> members(Handle h, long chat) {
        List<String> members = new ArrayList<>(h.createQuery("SELECT user_id FROM chat_members WHERE chat_id = :chat")
                .bind("chat", chat)
                .mapTo(String.class)
                .list());
        members.sort(null);
        return members;
    }

    /**
     * The chat row when {@code userId} is a member, for use inside another store's transaction; a plain read
     * (no row lock: take one yourself, e.g. with the {@code UPDATE chats ... RETURNING}, when you need it).
     *
     * @throws ApiException CHAT_NOT_FOUND when the chat does not exist or {@code userId} is not a member
     */
    public ChatRow requireMember(Handle h, long chat, String userId) {
        return h.createQuery("SELECT " + COLUMNS + " FROM chats c WHERE c.id = :chat AND " + IS_MEMBER)
                .bind("chat", chat)
                .bind("user", userId)
                .map(ROW)
                .findOne()
                .orElseThrow(ApiException::chatNotFound);
    }

    private static ChatDetails details(Handle h, long chat) {
        return h.createQuery(DETAILS + " WHERE c.id = :chat")
                .bind("chat", chat)
                .map(DETAILS_ROW)
                .findOne()
                .orElseThrow(ApiException::chatNotFound);
    }

    private static void requireOwner(ChatRow row, String userId, String message) {
        if (!row.isOwner(userId)) {
            throw new ApiException(ErrorCode.NOT_CHAT_OWNER, message);
        }
    }

    private static ChatRow row(ResultSet rs) throws SQLException {
        return new ChatRow(rs.getLong("id"), rs.getString("title"), rs.getString("owner_id"), rs.getBoolean("bot_enabled"),
                instant(rs, "created_at"), instant(rs, "updated_at"), rs.getLong("last_seq"), rs.getLong("message_count"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
}
