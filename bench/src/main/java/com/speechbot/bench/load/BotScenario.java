package com.speechbot.bench.load;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * bot: K chats x N members with the bot enabled. Member 0 of each chat sends a prompt; when the bot's answer
 * completes (bot_response_chunk with is_complete) it sends the next one after --think-ms (closed loop, one answer
 * at a time per chat; an answer that does not complete within --bot-timeout is given up). Every member measures
 * the time from the prompt to its first chunk and the gaps between chunks.
 */
final class BotScenario extends Scenario {

    private static final String PROMPT = " Explain in a few sentences what a load test measures.";

    private final Latency firstChunk = new Latency();
    private final Latency gaps = new Latency();
    private final Latency answer = new Latency();
    private final LongAdder prompts = new LongAdder();
    private final LongAdder chunksInWindow = new LongAdder();
    private final LongAdder chunkCharsInWindow = new LongAdder();
    private final LongAdder answersCompleted = new LongAdder();
    private final LongAdder completeReceipts = new LongAdder();
    private final LongAdder indexJumps = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder botMessages = new LongAdder();
    private ChatState[] chats;

    /** One chat's prompt in flight. */
    private static final class ChatState {
        volatile long promptSent;
        volatile boolean awaiting;
        WsConnection prompter;
        long seq;
    }

    /** One member's view of the current answer; on its loop only. */
    private static final class Reader {
        String messageId;
        long lastChunk;
        int lastIndex;
    }

    BotScenario(Options options, String runId) {
        super(options, runId);
    }

    @Override
    boolean botEnabled() {
        return true;
    }

    @Override
    void start(Window w) {
        chats = new ChatState[options.chats];
        for (int i = 0; i < chats.length; i++) {
            chats[i] = new ChatState();
        }
        for (WsConnection c : connections) {
            c.state = new Reader();
            if (c.member == 0) {
                chats[c.chat.index()].prompter = c;
            }
        }
        for (ChatState s : chats) {
            if (s.prompter != null) {
                s.prompter.loop().execute(() -> prompt(s));
            }
        }
    }

    private void prompt(ChatState s) {
        long now = System.nanoTime();
        if (!window.sending(now) || !s.prompter.isOpen()) {
            s.awaiting = false;
            return;
        }
        long seq = ++s.seq;
        s.promptSent = now;
        s.awaiting = true;
        WsConnection c = s.prompter;
        if (c.send(sendMessageJson(Stamp.format(now, c.index, seq, "") + PROMPT, "lt" + runId + "-" + c.index + "-" + seq))) {
            prompts.increment();
        }
    }

    @Override
    void tick(long now) {
        if (chats == null) {
            return;
        }
        long limit = TimeUnit.SECONDS.toNanos(options.botTimeoutSeconds);
        for (ChatState s : chats) {
            if (s.prompter != null && s.awaiting && now - s.promptSent > limit) {
                timeouts.increment();
                s.prompter.loop().execute(() -> prompt(s));
            }
        }
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {
        Window w = window;
        if (w == null || chats == null) {
            return;
        }
        if ("new_message".equals(e.type) && "bot".equals(e.role)) {
            if (w.inWindow(now)) {
                botMessages.increment();
            }
            return;
        }
        if (!"bot_response_chunk".equals(e.type) || !(c.state instanceof Reader r) || e.messageId == null) {
            return;
        }
        ChatState s = chats[c.chat.index()];
        boolean in = w.inWindow(now);
        if (!e.messageId.equals(r.messageId)) {
            r.messageId = e.messageId;
            long sent = s.promptSent;
            if (w.inWindow(sent)) {
                firstChunk.recordNanos(now - sent);
            }
        } else {
            if (in) {
                gaps.recordNanos(now - r.lastChunk);
            }
            if (e.chunkIndex != r.lastIndex + 1) {
                indexJumps.increment();
            }
        }
        r.lastChunk = now;
        r.lastIndex = e.chunkIndex;
        if (in) {
            chunksInWindow.increment();
            chunkCharsInWindow.add(e.chunkChars);
        }
        if (e.isComplete) {
            if (in) {
                completeReceipts.increment();
            }
            if (c == s.prompter && s.awaiting) {
                s.awaiting = false;
                if (w.inWindow(s.promptSent)) {
                    answer.recordNanos(now - s.promptSent);
                    answersCompleted.increment();
                }
                if (options.thinkMs > 0) {
                    c.loop().schedule(() -> prompt(s), options.thinkMs, TimeUnit.MILLISECONDS);
                } else {
                    prompt(s);
                }
            }
        }
    }

    @Override
    String progress() {
        return String.format(java.util.Locale.ROOT, "prompts %,d  chunks %,d  answers %,d  errors %,d",
                prompts.sum(), events.total("bot_response_chunk"), answersCompleted.sum(), events.errorCount());
    }

    @Override
    void report(Result r) {
        Window w = window;
        Map<String, Object> m = r.section("bot");
        long chunks = chunksInWindow.sum();
        m.put("prompts", prompts.sum());
        m.put("answers_completed", answersCompleted.sum());
        m.put("chunks_delivered", chunks);
        m.put("chunks_per_s", Result.round1(w.perSecond(chunks)));
        m.put("chunk_chars_per_s", Result.round1(w.perSecond(chunkCharsInWindow.sum())));
        m.put("complete_receipts", completeReceipts.sum());
        m.put("bot_new_messages", botMessages.sum());
        m.put("chunk_index_jumps", indexJumps.sum());
        m.put("timeouts", timeouts.sum());
        r.put("first_chunk_latency", firstChunk.summary());
        r.put("inter_chunk_gap", gaps.summary());
        r.put("answer_latency", answer.summary());
        r.line("Bot: %d chat(s) x %d members, closed loop, think %d ms", options.chats, options.members, options.thinkMs);
        r.line("  prompts     %,d, answers completed %,d, timeouts %,d", prompts.sum(), answersCompleted.sum(), timeouts.sum());
        r.line("  chunks      %,d delivered = %,.1f/s (%,.0f chars/s), index jumps %,d", chunks, w.perSecond(chunks),
                w.perSecond(chunkCharsInWindow.sum()), indexJumps.sum());
        r.line("  first chunk %s", firstChunk.line());
        r.line("  chunk gaps  %s", gaps.line());
        r.line("  answer      %s", answer.line());
        if (prompts.sum() > 0 && events.total("bot_response_chunk") == 0) {
            r.line("  NOTE: no bot_response_chunk arrived at all: is the bot enabled/implemented on this server?");
        }
    }
}
