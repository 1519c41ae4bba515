package com.speechbot.server.message;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.AttachmentView;
import com.speechbot.protocol.ChatInfo;
import com.speechbot.protocol.ChatUpdated;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The messages of all chats in PostgreSQL. Blocking: call it only on the database executor. Every public method is
 * one transaction; membership is checked inside it ({@code chat_members}), so a caller removed a moment ago is refused.
 * Unknown chats and non-members are both {@code CHAT_NOT_FOUND}, unknown messages {@code MESSAGE_NOT_FOUND}.
 */
public final class MessageStore {

    private static final String COLUMNS = "seq, role, author_id, content, full_content, content_type, status,"
            + " metadata::text AS metadata, thread_id, reply_to, client_message_id, content_hash, created_at, edited_at,"
            + " deleted_at, edit_history::text AS edit_history";
    private static final TypeReference<List<EditEntry>> EDIT_LIST = new TypeReference<>() {};
    private static final Pattern ATTACHMENT_ID = Pattern.compile("att_[0-9]{1,30}");
    private static final AtomicLong ATTACHMENT_COUNTER = new AtomicLong(ThreadLocalRandom.current().nextInt(1000));

    private final Jdbi jdbi;
    private final ServerConfig.Limits limits;
    private final String attachmentBaseUrl;
    private final Clock clock;

    public MessageStore(Jdbi jdbi, ServerConfig.Limits limits, String publicBaseUrl, Clock clock) {
        this.jdbi = jdbi;
        this.limits = limits;
        String base = publicBaseUrl == null ? "" : publicBaseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.attachmentBaseUrl = base + "/v1/attachments/";
        this.clock = clock;
    }

    // ------------------------------------------------------------------------------------------------ sending

    /**
     * Stores a batch of sends to one chat in ONE transaction, in list order, with consecutive seqs. Per-command problems
     * (author not a member, bad reply_to, client_message_id reused for other content) are {@code FAILED} outcomes and
     * do not affect the others; a repeated client_message_id (stored earlier or earlier in this batch) resolves to that
     * message as {@code EXISTING}, and so does a second bot answer to the same user message. Bot commands skip the
     * membership check. Database failures throw and store nothing.
     */
    public List<SendOutcome> insertBatch(long chat, List<SendCommand> commands) {
        if (commands.isEmpty()) {
            return List.of();
        }
        return jdbi.inTransaction(h -> insertBatch(h, chat, commands));
    }

    /**
     * Several chats' batches in one transaction (cross-chat group commit: one commit, one WAL flush for all of them).
     * Chats are locked in ascending id order, so two such transactions cannot deadlock.
     */
    public Map<Long, List<SendOutcome>> insertBatches(Map<Long, List<SendCommand>> byChat) {
        return jdbi.inTransaction(h -> {
            Map<Long, List<SendOutcome>> out = new java.util.TreeMap<>();
            for (Map.Entry<Long, List<SendCommand>> e : new java.util.TreeMap<>(byChat).entrySet()) {
                out.put(e.getKey(), e.getValue().isEmpty() ? List.of() : insertBatch(h, e.getKey(), e.getValue()));
            }
            return out;
        });
    }

    private List<SendOutcome> insertBatch(Handle h, long chat, List<SendCommand> commands) {
        String chatId = Ids.chatId(chat);
        SendOutcome[] out = new SendOutcome[commands.size()];
        // the chat row lock serialises all writers of this chat: seqs and client_message_id checks are race-free
        Optional<Locked> locked = h.createQuery(
                        "SELECT last_seq, message_count, updated_at FROM chats WHERE id = :chat FOR NO KEY UPDATE")
                .bind("chat", chat)
                .map((rs, ctx) -> new Locked(rs.getLong("last_seq"), rs.getLong("message_count"), instant(rs, "updated_at")))
                .findOne();
        if (locked.isEmpty()) {
            for (int i = 0; i < out.length; i++) {
                out[i] = SendOutcome.failed(ApiException.chatNotFound());
            }
            return List.of(out);
        }
        long lastSeq = locked.get().lastSeq();
        long count = locked.get().messageCount();
        Instant currentUpdatedAt = locked.get().updatedAt();

        // one query each for: members among the authors, earlier sends with these client ids, reply targets
        Set<String> userAuthors = new HashSet<>();
        Set<String> clientIds = new HashSet<>();
        Set<Long> replySeqs = new HashSet<>();
        for (SendCommand c : commands) {
            if (SendCommand.ROLE_USER.equals(c.role())) {
                userAuthors.add(c.authorId());
            }
            if (c.clientMessageId() != null) {
                clientIds.add(c.clientMessageId());
            }
            Ids.MessageKey key = c.replyTo() == null ? null : Ids.parseMessageId(c.replyTo());
            if (key != null && key.chat() == chat) {
                replySeqs.add(key.seq());
            }
        }
        Set<String> members = userAuthors.isEmpty() ? Set.of() : new HashSet<>(h.createQuery(
                        "SELECT user_id FROM chat_members WHERE chat_id = :chat AND user_id = ANY(:users)")
                .bind("chat", chat).bind("users", textArray(userAuthors)).mapTo(String.class).list());
        Map<String, Row> earlier = new HashMap<>();
        if (!clientIds.isEmpty()) {
            h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE chat_id = :chat AND client_message_id = ANY(:ids)")
                    .bind("chat", chat).bind("ids", textArray(clientIds)).map(MessageStore::row)
                    .forEach(r -> earlier.put(r.authorId() + '\u0000' + r.clientMessageId(), r));
        }
        // one bot answer per user message (unique index messages_bot_answer_uq): a repeat resolves to the stored answer
        Set<String> botReplies = new HashSet<>();
        for (SendCommand c : commands) {
            if (SendCommand.ROLE_BOT.equals(c.role()) && c.replyTo() != null) {
                botReplies.add(c.replyTo());
            }
        }
        Map<String, Row> botAnswers = new HashMap<>();
        if (!botReplies.isEmpty()) {
            h.createQuery("SELECT " + COLUMNS + " FROM messages WHERE chat_id = :chat AND role = 'bot'"
                            + " AND reply_to = ANY(:replies) ORDER BY seq")
                    .bind("chat", chat).bind("replies", textArray(botReplies)).map(MessageStore::row)
                    .forEach(r -> botAnswers.putIfAbsent(r.replyTo(), r));
        }
        Map<String, Integer> firstBotAnswer = new HashMap<>();
        Set<Long> existingReplySeqs = replySeqs.isEmpty() ? Set.of() : new HashSet<>(h.createQuery(
                        "SELECT seq FROM messages WHERE chat_id = :chat AND seq = ANY(:seqs)")
                .bind("chat", chat).bind("seqs", longArray(replySeqs)).mapTo(Long.class).list());

        Instant now = now();
        List<Integer> toStore = new ArrayList<>();
        Map<String, Integer> firstInBatch = new HashMap<>();
        Set<Long> batchSeqs = new HashSet<>();
        Map<Integer, Long> seqOf = new HashMap<>();
        Map<Integer, String> hashOf = new HashMap<>();
        List<Integer> existingIdx = new ArrayList<>();
        Map<Integer, Row> existingRow = new HashMap<>();
        Map<Integer, Integer> duplicateOf = new HashMap<>();
        long nextSeq = lastSeq;
        for (int i = 0; i < commands.size(); i++) {
            SendCommand c = commands.get(i);
            if (SendCommand.ROLE_USER.equals(c.role()) && !members.contains(c.authorId())) {
                out[i] = SendOutcome.failed(ApiException.chatNotFound());
                continue;
            }
            String hash = c.contentHash();
            if (SendCommand.ROLE_BOT.equals(c.role()) && c.replyTo() != null) {
                Integer first = firstBotAnswer.get(c.replyTo());
                Row prior = botAnswers.get(c.replyTo());
                if (first != null) {
                    duplicateOf.put(i, first);
                    continue;
                }
                if (prior != null) {
                    existingIdx.add(i);
                    existingRow.put(i, prior);
                    continue;
                }
            }
            if (c.clientMessageId() != null) {
                String key = c.authorId() + '\u0000' + c.clientMessageId();
                Integer first = firstInBatch.get(key);
                Row prior = earlier.get(key);
                String priorHash = first != null ? hashOf.get(first) : prior != null ? prior.contentHash() : null;
                if (first != null || prior != null) {
                    if (priorHash != null && !priorHash.equals(hash)) {
                        out[i] = SendOutcome.failed(clientIdConflict(c.clientMessageId()));
                    } else if (first != null) {
                        duplicateOf.put(i, first);
                    } else {
                        existingIdx.add(i);
                        existingRow.put(i, prior);
                    }
                    continue;
                }
            }
            if (c.replyTo() != null) {
                Ids.MessageKey key = Ids.parseMessageId(c.replyTo());
                if (key == null || key.chat() != chat
                        || !(existingReplySeqs.contains(key.seq()) || batchSeqs.contains(key.seq()))) {
                    out[i] = SendOutcome.failed(ApiException.field(ErrorCode.INVALID_REPLY_TO,
                            "reply_to must reference a message of this chat", "reply_to",
                            "No message " + c.replyTo() + " in this chat"));
                    if (c.clientMessageId() != null) {
                        // a later duplicate in the batch gets the same answer
                        firstInBatch.put(c.authorId() + '\u0000' + c.clientMessageId(), i);
                        hashOf.put(i, hash);
                    }
                    continue;
                }
            }
            nextSeq++;
            seqOf.put(i, nextSeq);
            hashOf.put(i, hash);
            batchSeqs.add(nextSeq);
            toStore.add(i);
            if (SendCommand.ROLE_BOT.equals(c.role()) && c.replyTo() != null) {
                firstBotAnswer.put(c.replyTo(), i);
            }
            if (c.clientMessageId() != null) {
                firstInBatch.put(c.authorId() + '\u0000' + c.clientMessageId(), i);
            }
        }

        int k = toStore.size();
        long countAfter = count + k;
        Instant chatUpdatedAt = k > 0 ? now : currentUpdatedAt;
        if (k > 0) {
            long[] bumped = h.createQuery("UPDATE chats SET last_seq = last_seq + :k, message_count = message_count + :k,"
                            + " updated_at = :now WHERE id = :chat RETURNING last_seq, message_count")
                    .bind("k", k).bind("now", ts(now)).bind("chat", chat)
                    .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).one();
            if (bumped[0] != nextSeq) {
                throw new IllegalStateException("chat " + chat + " seq moved under its row lock");
            }
            countAfter = bumped[1];
            PreparedBatch msgs = h.prepareBatch("INSERT INTO messages (chat_id, seq, role, author_id, content, full_content,"
                    + " content_type, status, metadata, thread_id, reply_to, client_message_id, content_hash, created_at)"
                    + " VALUES (:chat, :seq, :role, :author, :content, :full, :type, :status, CAST(:metadata AS jsonb),"
                    + " :thread, :reply, :cmid, :hash, :now)");
            PreparedBatch atts = null;
            long n = count;
            for (int i : toStore) {
                SendCommand c = commands.get(i);
                long seq = seqOf.get(i);
                n++;
                msgs.bind("chat", chat).bind("seq", seq).bind("role", c.role()).bind("author", c.authorId())
                        .bind("content", c.content()).bind("full", c.effectiveFullContent())
                        .bind("type", c.contentType()).bind("status", c.effectiveStatus())
                        .bind("metadata", c.metadata() == null ? null : Json.writeString(c.metadata()))
                        .bind("thread", c.threadId()).bind("reply", c.replyTo()).bind("cmid", c.clientMessageId())
                        .bind("hash", hashOf.get(i)).bind("now", ts(now)).add();
                List<AttachmentView> views = new ArrayList<>(c.attachments().size());
                for (int p = 0; p < c.attachments().size(); p++) {
                    NewAttachment a = c.attachments().get(p);
                    String id = newAttachmentId();
                    if (atts == null) {
                        atts = h.prepareBatch("INSERT INTO attachments (id, chat_id, seq, position, filename, content_type,"
                                + " size, data, created_at) VALUES (:id, :chat, :seq, :pos, :filename, :type, :size, :data, :now)");
                    }
                    atts.bind("id", id).bind("chat", chat).bind("seq", seq).bind("pos", p).bind("filename", a.filename())
                            .bind("type", a.contentType()).bind("size", a.size()).bind("data", a.data())
                            .bind("now", ts(now)).add();
                    views.add(attachmentView(id, a.filename(), a.contentType(), a.size()));
                }
                MessageView view = new MessageView(Ids.messageId(chat, seq), chatId, c.role(), c.content(),
                        c.effectiveFullContent(), c.contentType(), now, c.effectiveStatus(), c.metadata(), List.of(),
                        c.threadId(), c.replyTo(), null, null, views, List.of(), c.clientMessageId());
                out[i] = SendOutcome.stored(view, new ChatUpdated(chatId, now, n), seq);
            }
            msgs.execute();
            if (atts != null) {
                atts.execute();
            }
        }
        if (!existingIdx.isEmpty()) {
            List<Row> rows = existingIdx.stream().map(existingRow::get).distinct().toList();
            Map<Long, MessageView> views = new HashMap<>();
            for (MessageView v : views(h, chat, rows)) {
                views.put(Ids.parseMessageId(v.id()).seq(), v);
            }
            ChatUpdated state = new ChatUpdated(chatId, chatUpdatedAt, countAfter);
            for (int i : existingIdx) {
                Row r = existingRow.get(i);
                out[i] = SendOutcome.existing(views.get(r.seq()), state, r.seq());
            }
        }
        for (Map.Entry<Integer, Integer> d : duplicateOf.entrySet()) {
            SendOutcome first = out[d.getValue()];
            out[d.getKey()] = first.kind() == SendOutcome.Kind.FAILED ? first
                    : SendOutcome.existing(first.view(), first.chatUpdated(), first.seq());
        }
        return List.of(out);
    }

    private static ApiException clientIdConflict(String clientMessageId) {
        return new ApiException(ErrorCode.CLIENT_MESSAGE_ID_CONFLICT,
                "client_message_id was already used for a different message",
                Map.of("client_message_id", List.of("Already used for a message with different content: " + clientMessageId)));
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
            List<Row> rows = page.bind("limit", q.limit()).bind("offset", q.offset()).map(MessageStore::row).list();
            List<MessageView> views = views(h, chat, rows);
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
            return views(h, chat, List.of(requireMessage(h, chat, seq, false))).get(0);
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
            List<Row> rows = q.map(MessageStore::row).list();
            return views(h, chat, rows);
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
                    .map(MessageStore::row).one();
            return views(h, chat, List.of(updated)).get(0);
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
                            .bind("chat", chat).bind("seq", seq).map(MessageStore::row).one();
                }
            } else if (unhidden == 0) {
                throw new ApiException(ErrorCode.MESSAGE_NOT_RESTORABLE, "Message is not deleted");
            }
            return views(h, chat, List.of(current)).get(0);
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
                    .bind("chat", chat).bind("seq", seq).map(MessageStore::row).findOne()
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

    private static String newAttachmentId() {
        // millisecond time + a process counter + randomness: unique in practice, and the primary key guarantees it
        long counter = ATTACHMENT_COUNTER.incrementAndGet() % 1000;
        int random = ThreadLocalRandom.current().nextInt(1_000_000);
        return "att_" + System.currentTimeMillis() + String.format("%03d%06d", counter, random);
    }

    private AttachmentView attachmentView(String id, String filename, String contentType, long size) {
        return new AttachmentView(id, filename, contentType, size, attachmentBaseUrl + id, null);
    }

    // ------------------------------------------------------------------------------------------------ delivery

    /** Moves the given messages from {@code sent} to {@code delivered}; returns the seqs that changed, ascending. */
    public List<Long> markDelivered(long chat, List<Long> seqs) {
        if (seqs.isEmpty()) {
            return List.of();
        }
        return jdbi.withHandle(h -> h.createQuery("UPDATE messages SET status = 'delivered' WHERE chat_id = :chat"
                        + " AND seq = ANY(:seqs) AND status = 'sent' RETURNING seq")
                .bind("chat", chat).bind("seqs", longArray(seqs)).mapTo(Long.class).list()
                .stream().sorted().toList());
    }

    /**
     * Records that {@code readerId} read up to {@code uptoSeq} (the receipt never moves back) and marks every earlier
     * user message by someone else that is sent, delivered or edited as {@code read}, in one statement. Returns the
     * messages whose status changed, by seq.
     */
    public List<ReadChange> markRead(long chat, String readerId, long uptoSeq) {
        return jdbi.inTransaction(h -> markRead(h, chat, readerId, uptoSeq, now()));
    }

    /** Several readers' receipts of one chat in one transaction (the hub's coalesced batch): one commit, not one each. */
    public Map<String, List<ReadChange>> markRead(long chat, Map<String, Long> uptoByReader) {
        return jdbi.inTransaction(h -> {
            Instant now = now();
            Map<String, List<ReadChange>> changes = new java.util.HashMap<>();
            for (Map.Entry<String, Long> e : uptoByReader.entrySet()) {
                changes.put(e.getKey(), markRead(h, chat, e.getKey(), e.getValue(), now));
            }
            return changes;
        });
    }

    private List<ReadChange> markRead(Handle h, long chat, String readerId, long uptoSeq, Instant now) {
        // Messages up to the reader's previous position were handled by its earlier receipts: scan only the new range.
        long previous = h.createQuery("SELECT last_read_seq FROM read_receipts WHERE chat_id = :chat AND user_id = :user")
                .bind("chat", chat).bind("user", readerId).mapTo(Long.class).findOne().orElse(0L);
        if (uptoSeq <= previous) {
            return List.of();
        }
        int receipts = h.createUpdate("INSERT INTO read_receipts (chat_id, user_id, last_read_seq, updated_at)"
                        + " SELECT id, :user, least(:upto, last_seq), :now FROM chats WHERE id = :chat"
                        + " ON CONFLICT (chat_id, user_id) DO UPDATE SET last_read_seq ="
                        + " greatest(read_receipts.last_read_seq, EXCLUDED.last_read_seq), updated_at = EXCLUDED.updated_at")
                .bind("chat", chat).bind("user", readerId).bind("upto", uptoSeq).bind("now", ts(now)).execute();
        if (receipts == 0) {
            return List.of();
        }
        return h.createQuery("UPDATE messages SET status = 'read' WHERE chat_id = :chat AND seq > :previous"
                        + " AND seq <= :upto AND author_id <> :user AND role = 'user' AND status IN ('sent', 'delivered', 'edited')"
                        + " RETURNING seq, author_id")
                .bind("chat", chat).bind("previous", previous).bind("upto", uptoSeq).bind("user", readerId)
                .map((rs, ctx) -> new ReadChange(rs.getLong("seq"), rs.getString("author_id"))).list()
                .stream().sorted((a, b) -> Long.compare(a.seq(), b.seq())).toList();
    }

    /** The reader's receipt position, 0 when none. */
    public long lastReadSeq(long chat, String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_read_seq FROM read_receipts WHERE chat_id = :chat AND user_id = :user")
                .bind("chat", chat).bind("user", userId).mapTo(Long.class).findOne().orElse(0L));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private record Locked(long lastSeq, long messageCount, Instant updatedAt) {}

    private record ChatRow(String title, String ownerId, Instant updatedAt) {}

    private record Row(long seq, String role, String authorId, String content, String fullContent, String contentType,
                       String status, String metadata, String threadId, String replyTo, String clientMessageId,
                       String contentHash, Instant createdAt, Instant editedAt, Instant deletedAt, String editHistory) {}

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
                .bind("chat", chat).bind("seq", seq).map(MessageStore::row).findOne()
                .orElseThrow(ApiException::messageNotFound);
    }

    private static Row row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Row(rs.getLong("seq"), rs.getString("role"), rs.getString("author_id"), rs.getString("content"),
                rs.getString("full_content"), rs.getString("content_type"), rs.getString("status"),
                rs.getString("metadata"), rs.getString("thread_id"), rs.getString("reply_to"),
                rs.getString("client_message_id"), rs.getString("content_hash"), instant(rs, "created_at"),
                instant(rs, "edited_at"), instant(rs, "deleted_at"), rs.getString("edit_history"));
    }

    /** Views of rows in their order, with reactions and attachments loaded in one query each. */
    private List<MessageView> views(Handle h, long chat, List<Row> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<Long> seqs = rows.stream().map(Row::seq).toList();
        Map<Long, List<ReactionView>> reactions = reactions(h, chat, seqs);
        Map<Long, List<AttachmentView>> attachments = new HashMap<>();
        h.createQuery("SELECT id, seq, filename, content_type, size FROM attachments WHERE chat_id = :chat"
                        + " AND seq = ANY(:seqs) ORDER BY seq, position")
                .bind("chat", chat).bind("seqs", longArray(seqs))
                .map((rs, ctx) -> Map.entry(rs.getLong("seq"), attachmentView(rs.getString("id"), rs.getString("filename"),
                        rs.getString("content_type"), rs.getLong("size"))))
                .forEach(e -> attachments.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(e.getValue()));
        String chatId = Ids.chatId(chat);
        List<MessageView> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            boolean tombstone = r.deletedAt() != null;
            out.add(new MessageView(Ids.messageId(chat, r.seq()), chatId, r.role(),
                    tombstone ? "" : r.content(), tombstone ? "" : r.fullContent(), r.contentType(), r.createdAt(),
                    r.status(), r.metadata() == null ? null : readJson(r.metadata()),
                    reactions.getOrDefault(r.seq(), List.of()), r.threadId(), r.replyTo(), r.editedAt(), r.deletedAt(),
                    tombstone ? List.of() : attachments.getOrDefault(r.seq(), List.of()),
                    tombstone ? List.of() : editHistory(r.editHistory()), r.clientMessageId()));
        }
        return out;
    }

    private static Map<Long, List<ReactionView>> reactions(Handle h, long chat, Collection<Long> seqs) {
        Map<Long, List<ReactionView>> out = new HashMap<>();
        h.createQuery("SELECT seq, emoji, user_id, created_at FROM reactions WHERE chat_id = :chat AND seq = ANY(:seqs)"
                        + " ORDER BY created_at, user_id, emoji")
                .bind("chat", chat).bind("seqs", longArray(seqs))
                .map((rs, ctx) -> Map.entry(rs.getLong("seq"),
                        new ReactionView(rs.getString("emoji"), rs.getString("user_id"), instant(rs, "created_at"))))
                .forEach(e -> out.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    private static List<EditEntry> editHistory(String json) {
        if (json == null || json.equals("[]")) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(json, EDIT_LIST);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable edit_history", e);
        }
    }

    private static JsonNode readJson(String text) {
        try {
            return Json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable jsonb", e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A timestamptz parameter independent of the JVM and session time zones. */
    private static Argument ts(Instant instant) {
        OffsetDateTime t = instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        return (position, statement, ctx) -> {
            if (t == null) {
                statement.setNull(position, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                statement.setObject(position, t);
            }
        };
    }

    private static Argument longArray(Collection<Long> values) {
        Long[] array = values.toArray(new Long[0]);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("bigint", array));
    }

    private static Argument textArray(Collection<String> values) {
        String[] array = values.toArray(new String[0]);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("text", array));
    }
}
