package com.speechbot.server.message;

import static com.speechbot.server.message.SqlArgs.longArray;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.AttachmentView;
import com.speechbot.protocol.EditEntry;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionView;
import com.speechbot.protocol.codec.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;

/** Message rows as read from PostgreSQL and turned into the wire {@link MessageView}, shared by the message stores. */
final class MessageRows {

    static final String COLUMNS = "seq, role, author_id, content, full_content, content_type, status,"
            + " metadata::text AS metadata, thread_id, reply_to, client_message_id, content_hash, created_at, edited_at,"
            + " deleted_at, edit_history::text AS edit_history";
    private static final TypeReference<List<EditEntry>> EDIT_LIST = new TypeReference<>() {};
    private static final AtomicLong ATTACHMENT_COUNTER = new AtomicLong(ThreadLocalRandom.current().nextInt(1000));

    private final String attachmentBaseUrl;

    MessageRows(String publicBaseUrl) {
        String base = publicBaseUrl == null ? "" : publicBaseUrl;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.attachmentBaseUrl = base + "/v1/attachments/";
    }

    static String newAttachmentId() {
        // millisecond time + a process counter + randomness: unique in practice, and the primary key guarantees it
        long counter = ATTACHMENT_COUNTER.incrementAndGet() % 1000;
        int random = ThreadLocalRandom.current().nextInt(1_000_000);
        return "att_" + System.currentTimeMillis() + String.format("%03d%06d", counter, random);
    }

    AttachmentView attachmentView(String id, String filename, String contentType, long size) {
        return new AttachmentView(id, filename, contentType, size, attachmentBaseUrl + id, null);
    }


    record Row(long seq, String role, String authorId, String content, String fullContent, String contentType,
                       String status, String metadata, String threadId, String replyTo, String clientMessageId,
                       String contentHash, Instant createdAt, Instant editedAt, Instant deletedAt, String editHistory) {}


    static Row row(ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx) throws SQLException {
        return new Row(rs.getLong("seq"), rs.getString("role"), rs.getString("author_id"), rs.getString("content"),
                rs.getString("full_content"), rs.getString("content_type"), rs.getString("status"),
                rs.getString("metadata"), rs.getString("thread_id"), rs.getString("reply_to"),
                rs.getString("client_message_id"), rs.getString("content_hash"), instant(rs, "created_at"),
                instant(rs, "edited_at"), instant(rs, "deleted_at"), rs.getString("edit_history"));
    }

    /** Views of rows in their order, with reactions and attachments loaded in one query each. */
    List<MessageView> views(Handle h, long chat, List<Row> rows) {
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

    static Map<Long, List<ReactionView>> reactions(Handle h, long chat, Collection<Long> seqs) {
        Map<Long, List<ReactionView>> out = new HashMap<>();
        h.createQuery("SELECT seq, emoji, user_id, created_at FROM reactions WHERE chat_id = :chat AND seq = ANY(:seqs)"
                        + " ORDER BY created_at, user_id, emoji")
                .bind("chat", chat).bind("seqs", longArray(seqs))
                .map((rs, ctx) -> Map.entry(rs.getLong("seq"),
                        new ReactionView(rs.getString("emoji"), rs.getString("user_id"), instant(rs, "created_at"))))
                .forEach(e -> out.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(e.getValue()));
        return out;
    }

    static List<EditEntry> editHistory(String json) {
        if (json == null || json.equals("[]")) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(json, EDIT_LIST);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable edit_history", e);
        }
    }

    static JsonNode readJson(String text) {
        try {
            return Json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable jsonb", e);
        }
    }


    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.MILLIS);
    }
}
