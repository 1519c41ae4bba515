package com.speechbot.server.bot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.codec.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * The bot's writes: reserving the answer's place (its seq) when the stream starts, checkpointing the text while it
 * streams (status stays {@code typing}, so no reader takes it for complete), and storing the final message.
 * Blocking: call on the database executor only.
 */
public final class BotStore {

    public static final String BOT_ID = "bot";
    /** How far back from a chat's newest message {@link #unansweredSince} looks. */
    static final int RESUME_TAIL = 100;

    private final Jdbi jdbi;

    public BotStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Reserves the answer to {@code userSeq}: a {@code typing} row with the next seq of the chat. Empty when that
     * message already has an answer (the unique index keeps it to one, even across retries and restarts).
     */
    public OptionalLong reserve(long chat, String userMessageId, String threadId) {
        return jdbi.inTransaction(h -> {
            boolean answered = h.createQuery("SELECT EXISTS (SELECT 1 FROM messages WHERE chat_id = :chat AND role = 'bot'"
                            + " AND reply_to = :reply)")
                    .bind("chat", chat).bind("reply", userMessageId).mapTo(Boolean.class).one();
            if (answered) {
                return OptionalLong.empty();
            }
            Timestamp now = Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MILLIS));
            long seq = h.createQuery("UPDATE chats SET last_seq = last_seq + 1, message_count = message_count + 1,"
                            + " updated_at = :now WHERE id = :chat RETURNING last_seq")
                    .bind("chat", chat).bind("now", now).mapTo(Long.class).one();
            h.createUpdate("INSERT INTO messages (chat_id, seq, role, author_id, content, full_content, content_type, status,"
                            + " reply_to, thread_id, created_at) VALUES (:chat, :seq, 'bot', :bot, '', '', 'markdown', 'typing',"
                            + " :reply, :thread, :now)")
                    .bind("chat", chat).bind("seq", seq).bind("bot", BOT_ID).bind("reply", userMessageId)
                    .bind("thread", threadId).bind("now", now).execute();
            return OptionalLong.of(seq);
        });
    }

    /** Saves the text so far of an answer still streaming. */
    public void checkpoint(long chat, long seq, String textSoFar) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE messages SET content = :text, full_content = :text"
                        + " WHERE chat_id = :chat AND seq = :seq AND status = 'typing'")
                .bind("text", textSoFar).bind("chat", chat).bind("seq", seq).execute());
    }

    /** Stores the final answer with its status ({@code delivered} or {@code failed}) and metadata. */
    public void finish(long chat, long seq, String text, String status, ObjectNode metadata) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE messages SET content = :text, full_content = :text, status = :status,"
                        + " metadata = CAST(:metadata AS jsonb) WHERE chat_id = :chat AND seq = :seq")
                .bind("text", text).bind("status", status).bind("metadata", Json.writeString(metadata))
                .bind("chat", chat).bind("seq", seq).execute());
    }

    /** Answers left streaming by a stopped process end as {@code failed} with what was checkpointed. */
    public int failInterrupted() {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE messages SET status = 'failed', metadata ="
                        + " coalesce(metadata, '{}'::jsonb) || '{\"error\": \"interrupted by a server restart\"}'::jsonb"
                        + " WHERE role = 'bot' AND status = 'typing'")
                .execute());
    }

    /** A user message that was waiting for the bot when the previous process stopped. */
    public record Unanswered(long chat, long seq) {}

    /**
     * The questions a stop left waiting in the bot's queue: in chats with the bot on and active since {@code since},
     * among the last {@value #RESUME_TAIL} messages, the user messages (not deleted, sent since {@code since}) that
     * have no bot answer and come after the last question that has one — earlier unanswered ones were never the
     * bot's (sent while it was off). Oldest first per chat.
     */
    public List<Unanswered> unansweredSince(Instant since) {
        List<Unanswered> out = new ArrayList<>();
        record TailRow(long chat, long seq, String role, String replyTo, boolean fresh) {}
        List<TailRow> rows = jdbi.withHandle(h -> h.createQuery("SELECT c.id AS chat_id, t.seq, t.role, t.reply_to,"
                        + " (t.deleted_at IS NULL AND t.created_at >= :since) AS fresh"
                        + " FROM chats c CROSS JOIN LATERAL (SELECT seq, role, reply_to, created_at, deleted_at FROM messages m"
                        + " WHERE m.chat_id = c.id ORDER BY seq DESC LIMIT " + RESUME_TAIL + ") t"
                        + " WHERE c.bot_enabled AND c.updated_at >= :since ORDER BY c.id, t.seq")
                .bind("since", Timestamp.from(since))
                .map((rs, ctx) -> new TailRow(rs.getLong("chat_id"), rs.getLong("seq"), rs.getString("role"),
                        rs.getString("reply_to"), rs.getBoolean("fresh")))
                .list());
        int i = 0;
        while (i < rows.size()) {
            long chat = rows.get(i).chat();
            int end = i;
            Set<String> answered = new HashSet<>();
            while (end < rows.size() && rows.get(end).chat() == chat) {
                TailRow r = rows.get(end++);
                if ("bot".equals(r.role()) && r.replyTo() != null) {
                    answered.add(r.replyTo());
                }
            }
            long lastAnswered = 0;
            for (int k = i; k < end; k++) {
                TailRow r = rows.get(k);
                if ("user".equals(r.role()) && answered.contains(Ids.messageId(chat, r.seq()))) {
                    lastAnswered = r.seq();
                }
            }
            for (int k = i; k < end; k++) {
                TailRow r = rows.get(k);
                if ("user".equals(r.role()) && r.fresh() && r.seq() > lastAnswered
                        && !answered.contains(Ids.messageId(chat, r.seq()))) {
                    out.add(new Unanswered(chat, r.seq()));
                }
            }
            i = end;
        }
        return out;
    }

    public boolean botEnabled(long chat) {
        return jdbi.withHandle(h -> h.createQuery("SELECT bot_enabled FROM chats WHERE id = :chat")
                .bind("chat", chat).mapTo(Boolean.class).findOne().orElse(false));
    }

    /** The conversation up to and including {@code uptoSeq}, newest kept first within {@code budgetChars}, oldest first. */
    public List<BotRequest.Turn> context(long chat, long uptoSeq, int budgetChars) {
        List<BotRequest.Turn> turns = jdbi.withHandle(h -> h.createQuery("SELECT role, content FROM messages"
                        + " WHERE chat_id = :chat AND seq <= :upto AND deleted_at IS NULL AND status NOT IN ('typing', 'failed')"
                        + " AND content <> '' ORDER BY seq DESC LIMIT 200")
                .bind("chat", chat).bind("upto", uptoSeq)
                .map((rs, ctx) -> new BotRequest.Turn("bot".equals(rs.getString("role")) ? "assistant" : "user",
                        rs.getString("content")))
                .list());
        List<BotRequest.Turn> kept = new ArrayList<>();
        int used = 0;
        for (BotRequest.Turn t : turns) {
            String content = t.content();
            if (used + content.length() > budgetChars) {
                if (kept.isEmpty()) {
                    kept.add(new BotRequest.Turn(t.role(), content.substring(content.length() - budgetChars)));
                }
                break;
            }
            kept.add(t);
            used += content.length();
        }
        Collections.reverse(kept);
        return kept;
    }
}
