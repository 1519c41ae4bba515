package com.speechbot.server.message;

import static com.speechbot.server.message.MessageRows.COLUMNS;
import static com.speechbot.server.message.MessageRows.instant;
import static com.speechbot.server.message.MessageRows.newAttachmentId;
import static com.speechbot.server.message.MessageRows.row;
import static com.speechbot.server.message.SqlArgs.ts;

import com.speechbot.protocol.AttachmentView;
import com.speechbot.protocol.ChatUpdated;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.message.MessageRows.Row;
import com.speechbot.server.store.Pipeline;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * The send transaction: many chats' batches of sends stored together (group commit) under the send rules, in two
 * database round trips. Blocking: called on the database executor through {@link MessageStore}.
 */
final class SendStore {

    /** Send transactions of at most this many commands run generic plans (see {@link #storeBatches}). */
    private static final int GENERIC_PLAN_MAX_COMMANDS = 8;
    private static final String INSERT_ATTACHMENT = "INSERT INTO attachments (id, chat_id, seq, position, filename,"
            + " content_type, size, data, created_at) VALUES (:id, :chat, :seq, :pos, :filename, :type, :size, :data, :now)";

    private final Jdbi jdbi;
    private final Clock clock;
    private final MessageRows rows;

    SendStore(Jdbi jdbi, Clock clock, MessageRows rows) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.rows = rows;
    }

    /**
     * Stores a batch of sends to one chat in ONE transaction, in list order, with consecutive seqs. Per-command problems
     * (author not a member, bad reply_to, client_message_id reused for other content) are {@code FAILED} outcomes and
     * do not affect the others; a repeated client_message_id (stored earlier or earlier in this batch) resolves to that
     * message as {@code EXISTING}, and so does a second bot answer to the same user message. Bot commands skip the
     * membership check. Database failures throw and store nothing.
     */
    List<SendOutcome> insertBatch(long chat, List<SendCommand> commands) {
        if (commands.isEmpty()) {
            return List.of();
        }
        // one implementation: a single chat is a group commit of one
        return insertBatches(Map.of(chat, commands)).get(chat);
    }

    /**
     * Several chats' batches in one transaction (cross-chat group commit: one commit, one WAL flush for all of them),
     * each chat's batch under exactly the rules of {@link #insertBatch}. Set-based so that the round trips do not grow
     * with the number of chats: one statement per kind for all of them (lock the chats; the lookups, each only when a
     * command needs it; bump the chats; insert the messages; insert the attachments). Chats are locked in ascending id
     * order by that one statement, so two such transactions cannot deadlock. The result has every chat of
     * {@code byChat}; an empty batch has no outcomes and locks nothing.
     */
    Map<Long, List<SendOutcome>> insertBatches(Map<Long, List<SendCommand>> byChat) {
        Map<Long, List<SendOutcome>> out = new TreeMap<>();
        SortedMap<Long, List<SendCommand>> work = new TreeMap<>();
        byChat.forEach((chat, commands) -> {
            if (commands.isEmpty()) {
                out.put(chat, List.of());
            } else {
                work.put(chat, commands);
            }
        });
        if (!work.isEmpty()) {
            out.putAll(jdbi.inTransaction(h -> storeBatches(h, work)));
        }
        return out;
    }

    /**
     * The whole transaction in two round trips (see {@link Pipeline}): (1) lock the chats and ask every lookup the rules
     * need, (2) bump the chats, insert the messages and commit. The per-chat state lives only in here, so a failed
     * attempt leaves nothing behind.
     */
    private Map<Long, List<SendOutcome>> storeBatches(Handle h, SortedMap<Long, List<SendCommand>> byChat) {
        List<ChatBatch> batches = new ArrayList<>(byChat.size());
        byChat.forEach((chat, commands) -> batches.add(new ChatBatch(chat, commands)));

        // 1. The chat row locks serialise all writers of these chats: seqs, client_message_id and bot-answer checks
        //    are race-free. The lookups run after the lock in the same round trip (PostgreSQL runs them in order).
        Pipeline read = new Pipeline();
        // A small batch runs generic plans: its statements are index probes whatever the parameters, and without this
        // PostgreSQL re-plans the array lookups on every execution, a quarter of a one-message transaction. A large
        // batch keeps custom plans, which see the arrays' length: the generic ones made 200-connection group commits
        // more than twice as slow (BENCHMARKS.md), and planning is nothing next to inserting thousands of rows.
        int commands = byChat.values().stream().mapToInt(List::size).sum();
        if (commands <= GENERIC_PLAN_MAX_COMMANDS) {
            read.update("SET LOCAL plan_cache_mode = force_generic_plan");
        }
        Pipeline.Rows<Locked> locks = read.query("SELECT id, last_seq, message_count, updated_at FROM chats"
                + " WHERE id = ANY(?::bigint[]) ORDER BY id FOR NO KEY UPDATE", rs -> new Locked(rs.getLong("id"),
                rs.getLong("last_seq"), rs.getLong("message_count"), instant(rs, "updated_at")),
                (Object) byChat.keySet().toArray(new Long[0]));
        Lookups lookups = new Lookups(read, batches);
        read.run(h.getConnection());

        Map<Long, Locked> locked = new HashMap<>();
        locks.list().forEach(l -> locked.put(l.chat(), l));
        Known known = lookups.known();
        Instant now = now();
        List<ChatBatch> storing = new ArrayList<>();
        for (ChatBatch b : batches) {
            Locked row = locked.get(b.chat);
            if (row == null) {
                b.failAll(ApiException.chatNotFound()); // an unknown chat fails all its commands
                continue;
            }
            b.locked = row;
            b.decide(known, now); // each command's fate, in command order, in plain Java
            if (!b.toStore.isEmpty()) {
                storing.add(b);
            }
            resolveExisting(h, b); // idempotent repeats: the earlier messages as they are now (rare)
        }

        // 2. Write and commit: one UPDATE for all chats' counters, one INSERT per table, in one round trip.
        if (!storing.isEmpty()) {
            Pipeline write = new Pipeline();
            bumpChats(write, storing, now);
            boolean attachments = insertMessages(write, storing, now);
            if (!attachments) {
                write.commit(); // attachments (rare, large) go in a batch of their own before Jdbi commits
            }
            write.run(h.getConnection());
            if (attachments) {
                insertAttachments(h, storing, now);
            }
        }
        batches.forEach(ChatBatch::resolveDuplicates);
        Map<Long, List<SendOutcome>> out = new TreeMap<>();
        batches.forEach(b -> out.put(b.chat, List.of(b.out)));
        return out;
    }

    /**
     * What the commands of all chats ask about, asked once per kind (and not at all when nothing asks). Each lookup is
     * {@code unnest(keys) CROSS JOIN LATERAL (... LIMIT 1)}: the LIMIT keeps the planner from turning it into a hash
     * join over the whole table, so every key is one index probe whatever the statistics said when the statement's
     * generic plan was cached (an {@code IN (SELECT * FROM unnest(...))} form cached on a young, small table went on
     * seq-scanning {@code messages} as it grew).
     */
    private static final class Lookups {
        private Pipeline.Rows<Member> members;
        private Pipeline.Rows<Map.Entry<Long, Row>> earlier;
        private Pipeline.Rows<Ids.MessageKey> replyTargets;
        private Pipeline.Rows<Map.Entry<Long, Row>> botAnswers;

        Lookups(Pipeline p, List<ChatBatch> batches) {
            List<Long> memberChats = new ArrayList<>();
            List<String> memberUsers = new ArrayList<>();
            List<Long> clientChats = new ArrayList<>();
            List<String> clientAuthors = new ArrayList<>();
            List<String> clientIds = new ArrayList<>();
            List<Long> targetChats = new ArrayList<>();
            List<Long> targetSeqs = new ArrayList<>();
            List<Long> replyChats = new ArrayList<>();
            List<String> replyIds = new ArrayList<>();
            for (ChatBatch b : batches) {
                for (SendCommand c : b.commands) {
                    if (isUser(c)) {
                        memberChats.add(b.chat);
                        memberUsers.add(c.authorId());
                    }
                    if (c.clientMessageId() != null) {
                        clientChats.add(b.chat);
                        clientAuthors.add(c.authorId());
                        clientIds.add(c.clientMessageId());
                    }
                    if (c.replyTo() != null) {
                        Ids.MessageKey key = Ids.parseMessageId(c.replyTo());
                        if (key != null && key.chat() == b.chat) { // another chat's message is refused without asking
                            targetChats.add(key.chat());
                            targetSeqs.add(key.seq());
                        }
                        if (isBot(c)) {
                            replyChats.add(b.chat);
                            replyIds.add(c.replyTo());
                        }
                    }
                }
            }
            if (!memberChats.isEmpty()) {
                members = p.query("SELECT k.want_chat, k.want_user"
                                + " FROM unnest(?::bigint[], ?::text[]) AS k(want_chat, want_user) CROSS JOIN LATERAL"
                                + " (SELECT 1 FROM chat_members WHERE chat_id = k.want_chat AND user_id = k.want_user LIMIT 1) m",
                        rs -> new Member(rs.getLong(1), rs.getString(2)), longs(memberChats), strings(memberUsers));
            }
            if (!clientChats.isEmpty()) {
                earlier = p.query("SELECT k.want_chat AS chat_id, m.*"
                                + " FROM unnest(?::bigint[], ?::text[], ?::text[]) AS k(want_chat, want_author, want_id)"
                                + " CROSS JOIN LATERAL (SELECT " + COLUMNS + " FROM messages WHERE chat_id = k.want_chat"
                                + " AND author_id = k.want_author AND client_message_id = k.want_id LIMIT 1) m",
                        Lookups::chatAndRow, longs(clientChats), strings(clientAuthors), strings(clientIds));
            }
            if (!targetChats.isEmpty()) {
                replyTargets = p.query("SELECT k.want_chat, k.want_seq"
                                + " FROM unnest(?::bigint[], ?::bigint[]) AS k(want_chat, want_seq) CROSS JOIN LATERAL"
                                + " (SELECT 1 FROM messages WHERE chat_id = k.want_chat AND seq = k.want_seq LIMIT 1) m",
                        rs -> new Ids.MessageKey(rs.getLong(1), rs.getLong(2)), longs(targetChats), longs(targetSeqs));
            }
            if (!replyChats.isEmpty()) {
                // the stored bot answer to each user message (one at most: unique index messages_bot_answer_uq)
                botAnswers = p.query("SELECT k.want_chat AS chat_id, m.*"
                                + " FROM unnest(?::bigint[], ?::text[]) AS k(want_chat, want_reply) CROSS JOIN LATERAL"
                                + " (SELECT " + COLUMNS + " FROM messages WHERE chat_id = k.want_chat"
                                + " AND role = 'bot' AND reply_to = k.want_reply ORDER BY seq LIMIT 1) m",
                        Lookups::chatAndRow, longs(replyChats), strings(replyIds));
            }
        }

        Known known() {
            return new Known(members == null ? Set.of() : new HashSet<>(members.list()),
                    byKey(earlier, (chat, r) -> new ClientKey(chat, r.authorId(), r.clientMessageId())),
                    replyTargets == null ? Set.of() : new HashSet<>(replyTargets.list()),
                    byKey(botAnswers, (chat, r) -> new ReplyKey(chat, r.replyTo())));
        }

        /** A message row found by a lookup, with the chat it was looked up in. */
        private static Map.Entry<Long, Row> chatAndRow(ResultSet rs) throws SQLException {
            return Map.entry(rs.getLong("chat_id"), row(rs, null));
        }

        private static <K> Map<K, Row> byKey(Pipeline.Rows<Map.Entry<Long, Row>> rows,
                                             BiFunction<Long, Row, K> key) {
            Map<K, Row> out = new HashMap<>();
            if (rows != null) {
                rows.list().forEach(e -> out.put(key.apply(e.getKey(), e.getValue()), e.getValue()));
            }
            return out;
        }
    }

    /**
     * Moves every storing chat's last_seq and message_count on by its number of new messages, in one statement. The
     * rows are locked, so last_seq lands exactly where each batch planned its seqs (and were it not so, the messages'
     * primary key would refuse the insert and abort the transaction).
     */
    private static void bumpChats(Pipeline p, List<ChatBatch> storing, Instant now) {
        List<Long> chats = new ArrayList<>(storing.size());
        List<Long> added = new ArrayList<>(storing.size());
        for (ChatBatch b : storing) {
            chats.add(b.chat);
            added.add((long) b.toStore.size());
        }
        p.update("UPDATE chats c SET last_seq = c.last_seq + v.k, message_count = c.message_count + v.k,"
                + " updated_at = ?::timestamptz FROM unnest(?::bigint[], ?::bigint[]) AS v(id, k) WHERE c.id = v.id",
                now, longs(chats), longs(added));
    }

    /**
     * Inserts the stored commands of all chats with one statement (columns as arrays, unnested) and gives each its
     * {@code STORED} outcome. Returns whether any has attachments.
     */
    private boolean insertMessages(Pipeline p, List<ChatBatch> storing, Instant now) {
        int n = storing.stream().mapToInt(b -> b.toStore.size()).sum();
        Long[] chats = new Long[n];
        Long[] seqs = new Long[n];
        String[][] text = new String[11][n];
        boolean attachments = false;
        int row = 0;
        for (ChatBatch b : storing) {
            String chatId = Ids.chatId(b.chat);
            long count = b.locked.messageCount();
            for (int i : b.toStore) {
                SendCommand c = b.commands.get(i);
                long seq = b.seqs[i];
                count++;
                chats[row] = b.chat;
                seqs[row] = seq;
                String[] values = {c.role(), c.authorId(), c.content(), c.effectiveFullContent(), c.contentType(),
                        c.effectiveStatus(), c.metadata() == null ? null : Json.writeString(c.metadata()), c.threadId(),
                        c.replyTo(), c.clientMessageId(), b.hashes[i]};
                for (int k = 0; k < values.length; k++) {
                    text[k][row] = values[k];
                }
                row++;
                List<AttachmentView> views = new ArrayList<>(c.attachments().size());
                for (NewAttachment a : c.attachments()) {
                    String id = newAttachmentId();
                    b.attachmentIds.add(id);
                    views.add(rows.attachmentView(id, a.filename(), a.contentType(), a.size()));
                    attachments = true;
                }
                MessageView view = new MessageView(Ids.messageId(b.chat, seq), chatId, c.role(), c.content(),
                        c.effectiveFullContent(), c.contentType(), now, c.effectiveStatus(), c.metadata(), List.of(),
                        c.threadId(), c.replyTo(), null, null, views, List.of(), c.clientMessageId());
                b.out[i] = SendOutcome.stored(view, new ChatUpdated(chatId, now, count), seq);
            }
        }
        p.update("INSERT INTO messages (chat_id, seq, role, author_id, content, full_content, content_type, status,"
                + " metadata, thread_id, reply_to, client_message_id, content_hash, created_at)"
                + " SELECT chat_id, seq, role, author_id, content, full_content, content_type, status,"
                + " CAST(metadata AS jsonb), thread_id, reply_to, client_message_id, content_hash, ?::timestamptz"
                + " FROM unnest(?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) AS v(chat_id, seq, role, author_id, content,"
                + " full_content, content_type, status, metadata, thread_id, reply_to, client_message_id, content_hash)",
                now, chats, seqs, text[0], text[1], text[2], text[3], text[4], text[5], text[6], text[7], text[8], text[9],
                text[10]);
        return attachments;
    }

    /** The attachments of the stored commands, as one JDBC batch (their bytes are too large for an array parameter). */
    private static void insertAttachments(Handle h, List<ChatBatch> storing, Instant now) {
        PreparedBatch atts = h.prepareBatch(INSERT_ATTACHMENT);
        for (ChatBatch b : storing) {
            java.util.Iterator<String> ids = b.attachmentIds.iterator();
            for (int i : b.toStore) {
                List<NewAttachment> list = b.commands.get(i).attachments();
                for (int pos = 0; pos < list.size(); pos++) {
                    NewAttachment a = list.get(pos);
                    atts.bind("id", ids.next()).bind("chat", b.chat).bind("seq", b.seqs[i]).bind("pos", pos)
                            .bind("filename", a.filename()).bind("type", a.contentType()).bind("size", a.size())
                            .bind("data", a.data()).bind("now", ts(now)).add();
                }
            }
        }
        atts.execute();
    }

    /** {@code EXISTING} outcomes: the earlier messages with their reactions and attachments, and the chat after this batch. */
    private void resolveExisting(Handle h, ChatBatch b) {
        if (b.existing.isEmpty()) {
            return;
        }
        List<Row> existingRows = b.existing.values().stream().distinct().toList();
        Map<Long, MessageView> views = new HashMap<>();
        for (MessageView v : rows.views(h, b.chat, existingRows)) {
            views.put(Ids.parseMessageId(v.id()).seq(), v);
        }
        ChatUpdated state = new ChatUpdated(Ids.chatId(b.chat), b.updatedAfter, b.countAfter);
        b.existing.forEach((i, r) -> b.out[i] = SendOutcome.existing(views.get(r.seq()), state, r.seq()));
    }

    private static Long[] longs(List<Long> values) {
        return values.toArray(new Long[0]);
    }

    private static String[] strings(List<String> values) {
        return values.toArray(new String[0]);
    }

    private static boolean isUser(SendCommand c) {
        return SendCommand.ROLE_USER.equals(c.role());
    }

    private static boolean isBot(SendCommand c) {
        return SendCommand.ROLE_BOT.equals(c.role());
    }

    private static ApiException clientIdConflict(String clientMessageId) {
        return new ApiException(ErrorCode.CLIENT_MESSAGE_ID_CONFLICT,
                "client_message_id was already used for a different message",
                Map.of("client_message_id", List.of("Already used for a message with different content: " + clientMessageId)));
    }

    private static ApiException invalidReplyTo(String replyTo) {
        return ApiException.field(ErrorCode.INVALID_REPLY_TO, "reply_to must reference a message of this chat", "reply_to",
                "No message " + replyTo + " in this chat");
    }

    /** A chat's row as locked at the start of the send transaction. */
    private record Locked(long chat, long lastSeq, long messageCount, Instant updatedAt) {}

    /** What the send rules looked up for all chats of the transaction; every key carries its chat. */
    private record Known(Set<Member> members, Map<ClientKey, Row> earlier, Set<Ids.MessageKey> replyTargets,
                         Map<ReplyKey, Row> botAnswers) {}

    private record Member(long chat, String userId) {}

    private record ClientKey(long chat, String authorId, String clientMessageId) {}

    private record ReplyKey(long chat, String replyTo) {}

    /**
     * One chat's share of a send transaction: its commands, its locked row, and what becomes of each command.
     * {@link #decide} holds all the per-item rules; the outer methods do the SQL for all chats at once.
     */
    private static final class ChatBatch {
        final long chat;
        final List<SendCommand> commands;
        final SendOutcome[] out;
        /** Per command: the new seq (0 = not stored) and the content hash (set for stored ones and dedup anchors). */
        final long[] seqs;
        final String[] hashes;
        /** The commands to insert, in order. */
        final List<Integer> toStore = new ArrayList<>();
        /** Command index → the earlier message it resolves to (client_message_id retry, repeated bot answer). */
        final Map<Integer, Row> existing = new LinkedHashMap<>();
        /** Command index → the earlier command of this batch it repeats. */
        final Map<Integer, Integer> duplicateOf = new LinkedHashMap<>();
        Locked locked;
        /** The chat row after the transaction, reported with {@code EXISTING} outcomes. */
        long countAfter;
        Instant updatedAfter;
        /** The new attachments' ids, in the order of the stored commands and their attachments. */
        final List<String> attachmentIds = new ArrayList<>();

        ChatBatch(long chat, List<SendCommand> commands) {
            this.chat = chat;
            this.commands = commands;
            this.out = new SendOutcome[commands.size()];
            this.seqs = new long[commands.size()];
            this.hashes = new String[commands.size()];
        }

        void failAll(ApiException error) {
            Arrays.fill(out, SendOutcome.failed(error));
        }

        /**
         * Decides every command in order. Checks, first match wins: membership (user role only); a bot answer to a
         * message already answered (earlier in the batch → duplicate, stored → existing); a client_message_id seen
         * before (other content → conflict, else duplicate / existing); reply_to must name a message of this chat,
         * stored or earlier in this batch. Anything else gets the chat's next seq.
         */
        void decide(Known known, Instant now) {
            Map<String, Integer> firstBotAnswer = new HashMap<>(); // reply_to → first stored bot answer in the batch
            Map<String, Integer> firstInBatch = new HashMap<>();   // author \0 client id → first command with it
            Set<Long> batchSeqs = new HashSet<>();
            long nextSeq = locked.lastSeq();
            for (int i = 0; i < commands.size(); i++) {
                SendCommand c = commands.get(i);
                if (isUser(c) && !known.members().contains(new Member(chat, c.authorId()))) {
                    out[i] = SendOutcome.failed(ApiException.chatNotFound());
                    continue;
                }
                String hash = c.contentHash();
                if (isBot(c) && c.replyTo() != null) {
                    Integer first = firstBotAnswer.get(c.replyTo());
                    Row prior = known.botAnswers().get(new ReplyKey(chat, c.replyTo()));
                    if (first != null) {
                        duplicateOf.put(i, first);
                        continue;
                    }
                    if (prior != null) {
                        existing.put(i, prior);
                        continue;
                    }
                }
                String clientKey = c.clientMessageId() == null ? null : c.authorId() + '\u0000' + c.clientMessageId();
                if (clientKey != null) {
                    Integer first = firstInBatch.get(clientKey);
                    Row prior = known.earlier().get(new ClientKey(chat, c.authorId(), c.clientMessageId()));
                    String priorHash = first != null ? hashes[first] : prior != null ? prior.contentHash() : null;
                    if (first != null || prior != null) {
                        if (priorHash != null && !priorHash.equals(hash)) {
                            out[i] = SendOutcome.failed(clientIdConflict(c.clientMessageId()));
                        } else if (first != null) {
                            duplicateOf.put(i, first);
                        } else {
                            existing.put(i, prior);
                        }
                        continue;
                    }
                }
                if (c.replyTo() != null && !replyTargetExists(c.replyTo(), known, batchSeqs)) {
                    out[i] = SendOutcome.failed(invalidReplyTo(c.replyTo()));
                    if (clientKey != null) {
                        // a later duplicate in the batch gets the same answer
                        firstInBatch.put(clientKey, i);
                        hashes[i] = hash;
                    }
                    continue;
                }
                nextSeq++;
                seqs[i] = nextSeq;
                hashes[i] = hash;
                batchSeqs.add(nextSeq);
                toStore.add(i);
                if (isBot(c) && c.replyTo() != null) {
                    firstBotAnswer.put(c.replyTo(), i);
                }
                if (clientKey != null) {
                    firstInBatch.put(clientKey, i);
                }
            }
            countAfter = locked.messageCount() + toStore.size();
            updatedAfter = toStore.isEmpty() ? locked.updatedAt() : now;
        }

        private boolean replyTargetExists(String replyTo, Known known, Set<Long> batchSeqs) {
            Ids.MessageKey key = Ids.parseMessageId(replyTo);
            return key != null && key.chat() == chat
                    && (known.replyTargets().contains(key) || batchSeqs.contains(key.seq()));
        }

        /** A repeat within the batch answers like the command it repeats: the same failure, or that message as existing. */
        void resolveDuplicates() {
            duplicateOf.forEach((i, firstIndex) -> {
                SendOutcome first = out[firstIndex];
                out[i] = first.kind() == SendOutcome.Kind.FAILED ? first
                        : SendOutcome.existing(first.view(), first.chatUpdated(), first.seq());
            });
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
