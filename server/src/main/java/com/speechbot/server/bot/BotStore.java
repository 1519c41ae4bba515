package com.speechbot.server.bot;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.codec.Json;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import org.jdbi.v3.core.Jdbi;

/**
 * The bot's writes: reserving the answer's place (its seq) when the stream starts, checkpointing the text while it
 * streams (status stays {@code typing}, so no reader takes it for complete), and storing the final message.
 * Blocking: call on the database executor only.
 */
public final class BotStore {

    public static final String BOT_ID = "bot";

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
