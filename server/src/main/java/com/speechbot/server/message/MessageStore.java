package com.speechbot.server.message;

import static com.speechbot.server.message.MessageRows.COLUMNS;
import static com.speechbot.server.message.MessageRows.instant;
import static com.speechbot.server.message.MessageRows.reactions;
import static com.speechbot.server.message.MessageRows.readJson;
import static com.speechbot.server.message.MessageRows.row;
import static com.speechbot.server.message.SqlArgs.ts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.ChatInfo;
import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.EditEntry;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.Pagination;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.protocol.ReactionTotal;
import com.speechbot.protocol.ReactionView;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.message.MessageRows.Row;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The messages of all chats in PostgreSQL. Blocking: call it only on the database executor. Every public method is
 * one transaction; membership is checked inside it ({@code chat_members}), so a caller removed a moment ago is refused.
 * Unknown chats and non-members are both {@code CHAT_NOT_FOUND}, unknown messages {@code MESSAGE_NOT_FOUND}.
 */
public final class MessageStore {

    private static final Pattern ATTACHMENT_ID = Pattern.compile("att_[0-9]{1,30}");

    private final Jdbi jdbi;
    private final ServerConfig.Limits limits;
    private final Clock clock;
    private final MessageRows messageRows;
    private final SendStore sends;
    private final StatusStore statuses;

    public MessageStore(Jdbi jdbi, ServerConfig.Limits limits, String publicBaseUrl, Clock clock) {
        this.jdbi = jdbi;
        this.limits = limits;
        this.clock = clock;
        this.messageRows = new MessageRows(publicBaseUrl);
        this.sends = new SendStore(jdbi, clock, messageRows);
        this.statuses = new StatusStore(jdbi, clock);
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * Stores a batch of sends to one chat in ONE transaction, in list order, with consecutive seqs (the rules are in
     * {@link SendStore#insertBatch}).
     */
    public List<SendOutcome> insertBatch(long chat, List<SendCommand> commands) {
        return sends.insertBatch(chat, commands);
    }

    /** Several chats' batches in one transaction (cross-chat group commit), as by {@link SendStore#insertBatches}. */
    public Map<Long, List<SendOutcome>> insertBatches(Map<Long, List<SendCommand>> byChat) {
        return sends.insertBatches(byChat);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /** A page of the chat as {@code userId} sees it: their "delete for me" messages left out, tombstones included. */
    public MessagePage list(long chat, String userId, MessageQuery q) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            ChatRow c = requireMember(h, chat, userId, false);
            StringBuilder where = new StringBuilder(" FROM messages m WHERE m.chat_id = :chat"
                    + " AND NOT EXISTS (SELECT 1 FROM message_hidden x WHERE x.chat_id = m.chat_id AND x.seq = m.seq"
                    + " AND x.user_id = :user)");
            if (q.beforeSeq() != null) {
                where.append(" AND m.seq < :before");
            }
            if (q.afterSeq() != null) {
                where.append(" AND m.seq > :after");
            }
            if (q.threadId() != null) {
                where.append(" AND m.thread_id = :thread");
            }
            Query count = h.createQuery("SELECT count(*)" + where);
            Query page = h.createQuery("SELECT " + COLUMNS + where + " ORDER BY m.seq " + (q.ascending() ? "ASC" : "DESC")
                    + " LIMIT :limit OFFSET :offset");
            for (Query s : List.of(count, page)) {
                s.bind("chat", chat).bind("user", userId);
                if (q.beforeSeq() != null) {
                    s.bind("before", q.beforeSeq());
                }
                if (q.afterSeq() != null) {
                    s.bind("after", q.afterSeq());
                }
                if (q.threadId() != null) {
                    s.bind("thread", q.threadId());
                }
            }
            long total = count.mapTo(Long.class).one();
            List<Row> rows = page.bind("limit", q.limit()).bind("offset", q.offset()).map(MessageRows::row).list();
            List<MessageView> views = messageRows.views(h, chat, rows);
            boolean hasMore = (long) q.offset() + rows.size() < total;
            Pagination p = new Pagination(total, rows.size(), hasMore, hasMore ? q.offset() + rows.size() : null,
                    q.offset() > 0 ? Math.max(0, q.offset() - q.limit()) : null);
            return new MessagePage(views, p, new ChatInfo(Ids.chatId(chat), c.title(), c.updatedAt()));
        });
    }

    /** One message as a member sees it (tombstone when deleted for everyone); hidden-for-me does not apply. */
    public MessageView get(long chat, long seq, String userId) {
        return jdbi.inTransaction(h -> {
            requireMember(h, chat, userId, false);
            return messageRows.views(h, chat, List.of(requireMessage(h, chat, seq, false))).get(0);
        });
    }

    /** The newest seq of the chat, 0 when it has no messages or does not exist. */
    public long latestSeq(long chat) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_seq FROM chats WHERE id = :chat")
                .bind("chat", chat).mapTo(Long.class).findOne().orElse(0L));
    }

    /** Up to {@code limit} messages with seq > {@code afterSeq} in seq order, for resume (tombstones included). */
    public List<MessageView> after(long chat, long afterSeq, int limit) {
        return after(chat, null, afterSeq, limit);
    }

    /** As {@link #after(long, long, int)}, leaving out what {@code viewerId} deleted for themselves (null: nobody). */
    public List<MessageView> after(long chat, String viewerId, long afterSeq, int limit) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            Query q = h.createQuery("SELECT " + COLUMNS + " FROM messages m WHERE m.chat_id = :chat AND m.seq > :after"
                            + (viewerId == null ? "" : " AND NOT EXISTS (SELECT 1 FROM message_hidden x WHERE x.chat_id ="
                            + " m.chat_id AND x.seq = m.seq AND x.user_id = :user)")
                            + " ORDER BY m.seq LIMIT :limit")
                    .bind("chat", chat).bind("after", afterSeq).bind("limit", Math.max(0, limit));
            if (viewerId != null) {
                q.bind("user", viewerId);
            }
            List<Row> rows = q.map(MessageRows::row).list();
            return messageRows.views(h, chat, rows);
        });
    }

    // ------------------------------------------------------------------------------------------------ editing

    /** Edits a user's own message within the edit window; the old content goes to {@code edit_history}. */
    public MessageView edit(long chat, long seq, String userId, EditRequest edit) {
        return jdbi.inTransaction(h -> {
            requireMember(h, chat, userId, false);
            Row r = requireMessage(h, chat, seq, true);
            if (SendCommand.ROLE_BOT.equals(r.role())) {
                throw new ApiException(ErrorCode.EDIT_NOT_ALLOWED, "Bot messages cannot be edited");
            }
            if (!r.authorId().equals(userId)) {
                throw new ApiException(ErrorCode.EDIT_NOT_ALLOWED, "Only the author can edit this message");
            }
            if (r.deletedAt() != null) {
                throw new ApiException(ErrorCode.EDIT_NOT_ALLOWED, "Deleted messages cannot be edited");
            }
            Instant now = now();
            Duration age = Duration.between(r.createdAt(), now);
            if (age.compareTo(Duration.ofHours(limits.editWindowHours())) > 0) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("message_age_hours", age.toHours());
                details.put("max_edit_hours", limits.editWindowHours());
                throw new ApiException(ErrorCode.EDIT_TIME_EXPIRED,
                        "Messages can only be edited within " + limits.editWindowHours() + " hours", details);
            }
            String metadata = r.metadata();
            if (edit.metadata() != null && edit.metadata().size() > 0) {
                ObjectNode merged = r.metadata() == null ? Json.object() : (ObjectNode) readJson(r.metadata());
                merged.setAll((ObjectNode) edit.metadata());
                SendCommandParser.checkMetadataSize(merged, limits.maxMetadataBytes());
                metadata = Json.writeString(merged);
            }
            String entry = Json.writeString(List.of(new EditEntry(r.content(), now, edit.editReason())));
            Row updated = h.createQuery("UPDATE messages SET content = :content, full_content = :content,"
                            + " status = 'edited', edited_at = :now, metadata = CAST(:metadata AS jsonb),"
                            + " edit_history = edit_history || CAST(:entry AS jsonb)"
                            + " WHERE chat_id = :chat AND seq = :seq RETURNING " + COLUMNS)
                    .bind("content", edit.content()).bind("now", ts(now)).bind("metadata", metadata)
                    .bind("entry", entry).bind("chat", chat).bind("seq", seq)
                    .map(MessageRows::row).one();
            return messageRows.views(h, chat, List.of(updated)).get(0);
        });
    }

    // ------------------------------------------------------------------------------------------------ deleting

    /**
     * Deletes a message: soft for the caller only ({@code me}, any member), soft for everyone (author or chat owner;
     * content kept aside for restore) or hard (author or chat owner; row, attachments and reactions removed).
     */
    public DeletionResult delete(long chat, long seq, String userId, boolean hard, String deleteFor) {
        if (!"me".equals(deleteFor) && !"everyone".equals(deleteFor)) {
            throw new IllegalArgumentException("deleteFor must be me or everyone");
        }
        return jdbi.inTransaction(h -> {
            ChatRow c = requireMember(h, chat, userId, false);
            Row r = requireMessage(h, chat, seq, true);
            String id = Ids.messageId(chat, seq);
            Instant now = now();
            boolean privileged = r.authorId().equals(userId) || c.ownerId().equals(userId);
            if (hard) {
                if (!privileged) {
                    throw new ApiException(ErrorCode.DELETE_NOT_ALLOWED,
                            "Only the author or the chat owner can delete this message permanently");
                }
                h.createUpdate("DELETE FROM messages WHERE chat_id = :chat AND seq = :seq")
                        .bind("chat", chat).bind("seq", seq).execute();
                h.createUpdate("UPDATE chats SET message_count = greatest(message_count - 1, 0) WHERE id = :chat")
                        .bind("chat", chat).execute();
                return new DeletionResult(id, "hard", "everyone", now, false);
            }
            if ("me".equals(deleteFor)) {
                Instant hiddenAt = h.createQuery("INSERT INTO message_hidden (chat_id, seq, user_id, hidden_at)"
                                + " VALUES (:chat, :seq, :user, :now) ON CONFLICT (chat_id, seq, user_id)"
                                + " DO UPDATE SET hidden_at = message_hidden.hidden_at RETURNING hidden_at")
                        .bind("chat", chat).bind("seq", seq).bind("user", userId).bind("now", ts(now))
                        .map((rs, ctx) -> instant(rs, "hidden_at")).one();
                return new DeletionResult(id, "soft", "me", hiddenAt, true);
            }
            if (!privileged) {
                throw new ApiException(ErrorCode.DELETE_NOT_ALLOWED,
                        "Only the author or the chat owner can delete this message for everyone");
            }
            if (r.deletedAt() != null) {
                return new DeletionResult(id, "soft", "everyone", r.deletedAt(), true);
            }
            h.createUpdate("UPDATE messages SET deleted_content = content, deleted_full_content = full_content,"
                            + " content = '', full_content = '', deleted_at = :now WHERE chat_id = :chat AND seq = :seq")
                    .bind("now", ts(now)).bind("chat", chat).bind("seq", seq).execute();
            return new DeletionResult(id, "soft", "everyone", now, true);
        });
    }

    /**
     * Undoes the caller's soft deletes of a message: their "delete for me", and "delete for everyone" when they are the
     * author or the chat owner. Nothing to undo is {@code MESSAGE_NOT_RESTORABLE}.
     */
    public MessageView restore(long chat, long seq, String userId) {
        return jdbi.inTransaction(h -> {
            ChatRow c = requireMember(h, chat, userId, false);
            Row r = requireMessage(h, chat, seq, true);
            int unhidden = h.createUpdate("DELETE FROM message_hidden WHERE chat_id = :chat AND seq = :seq AND user_id = :user")
                    .bind("chat", chat).bind("seq", seq).bind("user", userId).execute();
            boolean privileged = r.authorId().equals(userId) || c.ownerId().equals(userId);
            Row current = r;
            if (r.deletedAt() != null) {
                if (!privileged) {
                    if (unhidden == 0) {
                        throw new ApiException(ErrorCode.RESTORE_NOT_ALLOWED,
                                "Only the author or the chat owner can restore this message");
                    }
                } else {
                    current = h.createQuery("UPDATE messages SET content = coalesce(deleted_content, content),"
                                    + " full_content = coalesce(deleted_full_content, full_content), deleted_content = NULL,"
                                    + " deleted_full_content = NULL, deleted_at = NULL WHERE chat_id = :chat AND seq = :seq"
                                    + " RETURNING " + COLUMNS)
                            .bind("chat", chat).bind("seq", seq).map(MessageRows::row).one();
                }
            } else if (unhidden == 0) {
                throw new ApiException(ErrorCode.MESSAGE_NOT_RESTORABLE, "Message is not deleted");
            }
            return messageRows.views(h, chat, List.of(current)).get(0);
        });
    }

    // ------------------------------------------------------------------------------------------------ reactions

    /** Adds (idempotently) or removes the caller's reaction; returns the per-emoji totals in first-reaction order. */
    public ReactionResult react(long chat, long seq, String userId, String emoji, String action) {
        boolean add = switch (action) {
            case "add" -> true;
            case "remove" -> false;
            default -> throw new IllegalArgumentException("action must be add or remove");
        };
        return jdbi.inTransaction(h -> {
            requireMember(h, chat, userId, false);
            Row r = h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE chat_id = :chat AND seq = :seq FOR KEY SHARE")
                    .bind("chat", chat).bind("seq", seq).map(MessageRows::row).findOne()
                    .orElseThrow(ApiException::messageNotFound);
            if (r.deletedAt() != null) {
                throw new ApiException(ErrorCode.MESSAGE_NOT_FOUND, "Message was deleted");
            }
            Instant now = now();
            Instant at;
            if (add) {
                at = h.createQuery("INSERT INTO reactions (chat_id, seq, user_id, emoji, created_at)"
                                + " VALUES (:chat, :seq, :user, :emoji, :now) ON CONFLICT (chat_id, seq, user_id, emoji)"
                                + " DO NOTHING RETURNING created_at")
                        .bind("chat", chat).bind("seq", seq).bind("user", userId).bind("emoji", emoji).bind("now", ts(now))
                        .map((rs, ctx) -> instant(rs, "created_at")).findOne()
                        .orElseGet(() -> h.createQuery("SELECT created_at FROM reactions WHERE chat_id = :chat AND seq = :seq"
                                        + " AND user_id = :user AND emoji = :emoji")
                                .bind("chat", chat).bind("seq", seq).bind("user", userId).bind("emoji", emoji)
                                .map((rs, ctx) -> instant(rs, "created_at")).one());
            } else {
                h.createUpdate("DELETE FROM reactions WHERE chat_id = :chat AND seq = :seq AND user_id = :user AND emoji = :emoji")
                        .bind("chat", chat).bind("seq", seq).bind("user", userId).bind("emoji", emoji).execute();
                at = now;
            }
            List<ReactionView> all = reactions(h, chat, List.of(seq)).getOrDefault(seq, List.of());
            return new ReactionResult(Ids.messageId(chat, seq), action, new ReactionView(emoji, userId, at), totals(all));
        });
    }

    static List<ReactionTotal> totals(List<ReactionView> ordered) {
        Map<String, List<String>> byEmoji = new LinkedHashMap<>();
        for (ReactionView v : ordered) {
            byEmoji.computeIfAbsent(v.emoji(), e -> new ArrayList<>()).add(v.userId());
        }
        List<ReactionTotal> out = new ArrayList<>(byEmoji.size());
        byEmoji.forEach((e, users) -> out.add(new ReactionTotal(e, users.size(), List.copyOf(users))));
        return out;
    }

    // ------------------------------------------------------------------------------------------------ attachments

    /** An attachment's bytes for a member of its chat; unknown ids, non-members and deleted messages are all not found. */
    public AttachmentContent attachment(String attachmentId, String userId) {
        if (attachmentId == null || !ATTACHMENT_ID.matcher(attachmentId).matches()) {
            throw attachmentNotFound();
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT a.id, a.filename, a.content_type, a.data FROM attachments a"
                        + " JOIN messages m ON m.chat_id = a.chat_id AND m.seq = a.seq AND m.deleted_at IS NULL"
                        + " JOIN chat_members cm ON cm.chat_id = a.chat_id AND cm.user_id = :user WHERE a.id = :id")
                .bind("id", attachmentId).bind("user", userId)
                .map((rs, ctx) -> new AttachmentContent(rs.getString("id"), rs.getString("filename"),
                        rs.getString("content_type"), rs.getBytes("data")))
                .findOne().orElseThrow(MessageStore::attachmentNotFound));
    }

    private static ApiException attachmentNotFound() {
        return new ApiException(ErrorCode.ATTACHMENT_NOT_FOUND, "Attachment not found");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private record ChatRow(String title, String ownerId, Instant updatedAt) {}

    private static ChatRow requireMember(Handle h, long chat, String userId, boolean lock) {
        return h.createQuery("SELECT title, owner_id, updated_at FROM chats c WHERE c.id = :chat AND EXISTS"
                        + " (SELECT 1 FROM chat_members m WHERE m.chat_id = :chat AND m.user_id = :user)"
                        + (lock ? " FOR NO KEY UPDATE" : ""))
                .bind("chat", chat).bind("user", userId)
                .map((rs, ctx) -> new ChatRow(rs.getString("title"), rs.getString("owner_id"), instant(rs, "updated_at")))
                .findOne().orElseThrow(ApiException::chatNotFound);
    }

    private static Row requireMessage(Handle h, long chat, long seq, boolean forUpdate) {
        return h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE chat_id = :chat AND seq = :seq"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("chat", chat).bind("seq", seq).map(MessageRows::row).findOne()
                .orElseThrow(ApiException::messageNotFound);
    }

    /** Delivery and read-receipt statuses: the same database and clock. */
    public StatusStore statuses() {
        return statuses;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }


}
