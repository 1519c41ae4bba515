package com.speechbot.server.message;

import static com.speechbot.server.message.SqlArgs.longArray;
import static com.speechbot.server.message.SqlArgs.textArray;
import static com.speechbot.server.message.SqlArgs.ts;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Message statuses after sending: "delivered" updates and read receipts, each batch (many chats, many readers) ONE
 * SQL statement. Blocking: call it only on the database executor (the group committers do).
 */
public final class StatusStore {

    private final Jdbi jdbi;
    private final Clock clock;

    StatusStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /**
     * Row locks on the messages, taken in (chat_id, seq) order before they are updated: ORDER BY runs below the row
     * locking, and the "delivered" and "read" statements both lock this way, so two of them (the group committer runs
     * several lanes) cannot deadlock over the messages they share.
     * <p>
     * The arrays reach {@code unnest} through an {@code OFFSET 0} subquery, so that a custom plan does not see their
     * length either: custom and generic plans then cost the same, and PostgreSQL moves to the cached generic plan
     * after its five trial custom plans. Otherwise small batches (estimated at their length, against the generic
     * plan's ten rows) can keep getting custom plans, and planning these statements takes longer than running them.
     */
    private static final String MARK_DELIVERED = "WITH due AS MATERIALIZED (SELECT m.chat_id, m.seq"
            + " FROM (SELECT :chats AS chats, :seqs AS seqs OFFSET 0) p CROSS JOIN LATERAL unnest(p.chats, p.seqs)"
            + " AS w(chat_id, seq)"
            + " JOIN messages m ON m.chat_id = w.chat_id AND m.seq = w.seq WHERE m.status = 'sent'"
            + " ORDER BY m.chat_id, m.seq FOR NO KEY UPDATE OF m),"
            + " delivered AS (UPDATE messages m SET status = 'delivered' FROM due"
            + " WHERE m.chat_id = due.chat_id AND m.seq = due.seq AND m.status = 'sent' RETURNING m.chat_id, m.seq)"
            + " SELECT chat_id, seq FROM delivered ORDER BY chat_id, seq";

    /** Moves the given messages from {@code sent} to {@code delivered}; returns the seqs that changed, ascending. */
    public List<Long> markDelivered(long chat, List<Long> seqs) {
        // one implementation: a single chat is a group commit of one
        return markDeliveredBatches(Map.of(chat, seqs)).get(chat);
    }

    /**
     * Several chats' "delivered" updates (cross-chat group commit) in ONE statement, so one round trip and one commit
     * whatever the number of chats. Only {@code sent} messages change (one already read stays read). The result has
     * every chat of {@code byChat}, with the seqs that changed, ascending.
     */
    public Map<Long, List<Long>> markDeliveredBatches(Map<Long, List<Long>> byChat) {
        Map<Long, List<Long>> out = new TreeMap<>();
        List<Long> chats = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        byChat.forEach((chat, list) -> {
            out.put(chat, new ArrayList<>());
            for (Long seq : new LinkedHashSet<>(list)) { // a repeated seq would join its row twice
                chats.add(chat);
                seqs.add(seq);
            }
        });
        if (!chats.isEmpty()) {
            // one statement is atomic on its own: autocommit makes it one transaction without BEGIN/COMMIT round trips
            jdbi.withHandle(h -> h.createQuery(MARK_DELIVERED).bind("chats", longArray(chats)).bind("seqs", longArray(seqs))
                    .map((rs, ctx) -> Map.entry(rs.getLong("chat_id"), rs.getLong("seq"))).list())
                    .forEach(e -> out.get(e.getKey()).add(e.getValue()));
        }
        out.replaceAll((chat, changed) -> List.copyOf(changed));
        return out;
    }

    /**
     * All receipts of a batch in one statement, each CTE one step of the per-reader algorithm for every reader at once.
     * <ol>
     * <li>{@code moving}: the readers whose position moves forward ({@code upto > previous}), the new position capped
     *     at the chat's last_seq; an unknown chat has no {@code chats} row and drops out. (The arrays come in as in
     *     {@link #MARK_DELIVERED}, for the same reason.) All sub-statements see one snapshot, so the previous
     *     position is read here, once, and carried along (never re-read after the upsert). It is not locked: a chat's
     *     receipts are stored by one transaction at a time (the hub keeps one batch in flight), so nothing moves
     *     them meanwhile.</li>
     * <li>{@code seen}: the user messages by someone else in each reader's (previous, new] range that are still sent,
     *     delivered or edited, locked in (chat_id, seq) order like {@link #MARK_DELIVERED}. Messages up to the
     *     previous position were handled by earlier receipts (and an edited one there stays edited).</li>
     * <li>{@code marked}: a row may be updated only once per statement, so a message that several readers of the batch
     *     reached is updated once and attributed to one of them, the least reader id: the hub tells its author (and
     *     that reader) once that it was read, naming that reader.</li>
     * <li>{@code receipts}: the upsert, in (chat_id, user_id) order; {@code greatest} keeps a receipt from moving
     *     back. Not referenced, it runs after the main query, so this statement locks messages, then receipts, each
     *     in key order; the chats rows are only read (the receipt's foreign key takes KEY SHARE, which the sends'
     *     NO KEY UPDATE does not block).</li>
     * </ol>
     */
    private static final String MARK_READ = "WITH moving AS MATERIALIZED (SELECT w.chat_id, w.user_id,"
            + " coalesce(r.last_read_seq, 0) AS previous, least(w.upto, c.last_seq) AS upto"
            + " FROM (SELECT :chats AS chats, :readers AS readers, :uptos AS uptos OFFSET 0) p"
            + " CROSS JOIN LATERAL unnest(p.chats, p.readers, p.uptos) AS w(chat_id, user_id, upto)"
            + " JOIN chats c ON c.id = w.chat_id"
            + " LEFT JOIN read_receipts r ON r.chat_id = w.chat_id AND r.user_id = w.user_id"
            + " WHERE w.upto > coalesce(r.last_read_seq, 0)),"
            + " seen AS MATERIALIZED (SELECT m.chat_id, m.seq, v.user_id AS reader FROM moving v"
            + " JOIN messages m ON m.chat_id = v.chat_id AND m.seq > v.previous AND m.seq <= v.upto"
            + " WHERE m.author_id <> v.user_id AND m.role = 'user' AND m.status IN ('sent', 'delivered', 'edited')"
            + " ORDER BY m.chat_id, m.seq FOR NO KEY UPDATE OF m),"
            + " marked AS (UPDATE messages m SET status = 'read'"
            + " FROM (SELECT chat_id, seq, min(reader) AS reader FROM seen GROUP BY chat_id, seq) s"
            + " WHERE m.chat_id = s.chat_id AND m.seq = s.seq AND m.status IN ('sent', 'delivered', 'edited')"
            + " RETURNING m.chat_id, s.reader, m.seq, m.author_id),"
            + " receipts AS (INSERT INTO read_receipts (chat_id, user_id, last_read_seq, updated_at)"
            + " SELECT chat_id, user_id, upto, :now FROM moving ORDER BY chat_id, user_id"
            + " ON CONFLICT (chat_id, user_id) DO UPDATE SET last_read_seq ="
            + " greatest(read_receipts.last_read_seq, EXCLUDED.last_read_seq), updated_at = EXCLUDED.updated_at)"
            + " SELECT chat_id, reader, seq, author_id FROM marked ORDER BY chat_id, reader, seq";

    /**
     * Records that {@code readerId} read up to {@code uptoSeq} (the receipt never moves back, nor past the chat's last
     * message) and marks every message in between its previous position and the new one that is a user message by
     * someone else and sent, delivered or edited as {@code read}. Returns the messages whose status changed, by seq.
     */
    public List<ReadChange> markRead(long chat, String readerId, long uptoSeq) {
        return markRead(chat, Map.of(readerId, uptoSeq)).get(readerId);
    }

    /** Several readers' receipts of one chat (the hub's coalesced batch), as by {@link #markReadBatches}. */
    public Map<String, List<ReadChange>> markRead(long chat, Map<String, Long> uptoByReader) {
        return markReadBatches(Map.of(chat, uptoByReader)).get(chat);
    }

    /**
     * Several chats' coalesced receipts (cross-chat group commit), each reader's as by
     * {@link #markRead(long, String, long)}, in ONE statement: one round trip and one commit however many chats and
     * readers (see {@link #MARK_READ}). The result has every chat and reader of {@code byChat}, each reader with the
     * messages it changed, by seq; a message reached by several readers of the batch changes and is reported once.
     */
    public Map<Long, Map<String, List<ReadChange>>> markReadBatches(Map<Long, Map<String, Long>> byChat) {
        Map<Long, Map<String, List<ReadChange>>> out = new TreeMap<>();
        List<Long> chats = new ArrayList<>();
        List<String> readers = new ArrayList<>();
        List<Long> uptos = new ArrayList<>();
        byChat.forEach((chat, uptoByReader) -> {
            Map<String, List<ReadChange>> changes = new HashMap<>();
            uptoByReader.forEach((reader, upto) -> {
                changes.put(reader, new ArrayList<>());
                chats.add(chat);
                readers.add(reader);
                uptos.add(upto);
            });
            out.put(chat, changes);
        });
        if (!chats.isEmpty()) {
            // one statement is atomic on its own: autocommit makes it one transaction without BEGIN/COMMIT round trips
            jdbi.withHandle(h -> h.createQuery(MARK_READ).bind("chats", longArray(chats))
                    .bind("readers", textArray(readers)).bind("uptos", longArray(uptos)).bind("now", ts(now()))
                    .map((rs, ctx) -> new ReadRow(rs.getLong("chat_id"), rs.getString("reader"),
                            new ReadChange(rs.getLong("seq"), rs.getString("author_id"))))
                    .list())
                    .forEach(r -> out.get(r.chat()).get(r.reader()).add(r.change()));
        }
        out.values().forEach(changes -> changes.replaceAll((reader, list) -> List.copyOf(list)));
        return out;
    }

    private record ReadRow(long chat, String reader, ReadChange change) {}

    /** The reader's receipt position, 0 when none. */
    public long lastReadSeq(long chat, String userId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT last_read_seq FROM read_receipts WHERE chat_id = :chat AND user_id = :user")
                .bind("chat", chat).bind("user", userId).mapTo(Long.class).findOne().orElse(0L));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
