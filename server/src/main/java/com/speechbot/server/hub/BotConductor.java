package com.speechbot.server.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.bot.BotRequest;
import com.speechbot.server.bot.BotStore;
import com.speechbot.server.bot.Generation;
import com.speechbot.server.bot.TokenSink;
import com.speechbot.server.bot.Usage;
import com.speechbot.server.store.DbCalls;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The bot of one chat, confined to its hub's loop: answers user messages one at a time in arrival order (a message
 * sent while the bot is answering is queued), streams each answer's chunks through the hub, keeps the text so far
 * for late joiners and resumes, checkpoints it, and stores the final message with its metadata. The generation runs
 * to the end even when nobody is connected.
 */
final class BotConductor {

    static final String THINKING = "SpeechBot is thinking...";
    private static final long CHECKPOINT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final int FINAL_WRITE_ATTEMPTS = 8;
    private static final long FINAL_WRITE_FIRST_BACKOFF_MS = 100;
    private static final long FINAL_WRITE_MAX_BACKOFF_MS = 5_000;

    private final ChatHub hub;
    private final BotContext ctx;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Answer active;

    BotConductor(ChatHub hub, BotContext ctx) {
        this.hub = hub;
        this.ctx = ctx;
    }

    boolean busy() {
        return active != null || !queue.isEmpty();
    }

    /** A user message was stored in a chat with the bot on; {@code storedNanos} starts the latency clocks. */
    void answer(MessageView userMessage, long userSeq) {
        queue.add(new Pending(userMessage, userSeq, System.nanoTime()));
        if (active == null) {
            startNext();
        }
    }

    /** {@code cancel_generation}: stops the answer in progress; returns whether there was one. */
    boolean cancel() {
        Answer a = active;
        if (a == null || a.messageId == null || a.finished) {
            return false; // nothing reserved yet (or already ending): nothing a client could have seen to stop
        }
        if (a.generation != null) {
            a.generation.cancel();
        } // else the context is still loading: end() marks it finished, so the backend is never called
        a.end("cancelled", null);
        return true;
    }

    /**
     * The chunk a joining subscriber needs first: all text so far of the answer in progress (or only what follows
     * {@code lastChunkIndex} when the client says it has chunks up to there). Null when there is nothing to catch up.
     */
    ServerEvent catchUp(int lastChunkIndex) {
        Answer a = active;
        if (a == null || a.finished || a.chunkEnds.isEmpty()) {
            return null;
        }
        int last = a.chunkEnds.size() - 1;
        if (lastChunkIndex >= last) {
            return null;
        }
        int from = lastChunkIndex < 0 ? 0 : a.chunkEnds.get(lastChunkIndex);
        return ServerEvent.chunk(a.messageId, a.text.substring(from), last, false);
    }

    private void startNext() {
        Pending p = queue.poll();
        if (p == null) {
            hub.botIdle();
            return;
        }
        Answer a = new Answer(p);
        active = a;
        String threadId = p.message.threadId();
        DbCalls.supply(() -> ctx.botStore().reserve(hub.chat, p.message.id(), threadId), ctx.db())
                .whenComplete((seq, failure) -> hub.loop.execute(() -> a.reserved(seq, failure)));
    }

    private record Pending(MessageView message, long userSeq, long storedNanos) {}

    /** One answer: a token sink whose calls hop onto the hub loop. */
    private final class Answer implements TokenSink {
        final Pending p;
        long seq;
        String messageId;
        final StringBuilder text = new StringBuilder();
        final List<Integer> chunkEnds = new ArrayList<>();
        Generation generation;
        boolean finished;
        long firstChunkNanos;
        long lastCheckpointNanos = System.nanoTime();
        int checkpointedLength;

        Answer(Pending p) {
            this.p = p;
        }

        void reserved(OptionalLong reserved, Throwable failure) {
            if (failure != null || reserved.isEmpty()) {
                if (failure != null) {
                    HubRegistry.log.warn("could not reserve a bot answer in chat {}", hub.chat, failure);
                    ctx.meters().failure("store");
                    hub.publishNow(ServerEvent.error(ErrorCode.BOT_RESPONSE_FAILED.name(),
                            "The bot could not answer (store)", null), OutboundEvent.Kind.ESSENTIAL);
                }
                active = null;
                startNext();
                return;
            }
            seq = reserved.getAsLong();
            messageId = Ids.messageId(hub.chat, seq);
            hub.markReadByBot(p.userSeq);
            hub.publishNow(ServerEvent.typing(BotStore.BOT_ID, true, THINKING), OutboundEvent.Kind.TYPING);
            DbCalls.supply(() -> ctx.botStore().context(hub.chat, p.userSeq, ctx.config().contextChars()),
                            ctx.db())
                    .whenComplete((turns, err) -> hub.loop.execute(() -> {
                        if (finished) {
                            return;
                        }
                        if (err != null) {
                            end("store", err);
                            return;
                        }
                        BotRequest request = new BotRequest(Ids.chatId(hub.chat), p.message.id(), turns,
                                ctx.responder().model(), ctx.config().temperature(), ctx.config().maxTokens());
                        try {
                            generation = ctx.responder().generate(request, this, hub.loop);
                        } catch (RuntimeException | LinkageError e) {
                            // Whatever the backend throws, the answer must end: an answer left active would keep
                            // every later question of this chat queued behind it.
                            end("backend_error", e);
                        }
                    }));
        }

        @Override
        public void token(String chunk) {
            hub.loop.execute(() -> {
                if (finished || chunk.isEmpty()) {
                    return;
                }
                if (firstChunkNanos == 0) {
                    firstChunkNanos = System.nanoTime();
                    ctx.meters().firstChunk(firstChunkNanos - p.storedNanos);
                }
                int index = chunkEnds.size();
                text.append(chunk);
                chunkEnds.add(text.length());
                ctx.meters().chunk();
                hub.publishNow(ServerEvent.chunk(messageId, chunk, index, false), OutboundEvent.Kind.CHUNK);
                long now = System.nanoTime();
                if (now - lastCheckpointNanos >= CHECKPOINT_NANOS && text.length() > checkpointedLength) {
                    lastCheckpointNanos = now;
                    checkpointedLength = text.length();
                    String soFar = text.toString();
                    DbCalls.run(() -> ctx.botStore().checkpoint(hub.chat, seq, soFar), ctx.db());
                }
            });
        }

        @Override
        public void complete(Usage usage, String model) {
            hub.loop.execute(() -> {
                if (finished) {
                    return;
                }
                ObjectNode meta = metadata(model);
                meta.putObject("tokens_used").put("prompt", usage.prompt()).put("completion", usage.completion())
                        .put("total", usage.total());
                if (usage.estimated()) {
                    meta.put("tokens_estimated", true);
                }
                finish("delivered", meta, null);
            });
        }

        @Override
        public void fail(String cause, Throwable error) {
            hub.loop.execute(() -> end(cause, error));
        }

        /** Ends early: cancelled (stored as delivered with what was produced) or failed (stored as failed). */
        void end(String cause, Throwable error) {
            if (finished) {
                return;
            }
            ObjectNode meta = metadata(ctx.responder().model());
            int completion = Usage.estimateTokens(text.toString());
            meta.putObject("tokens_used").put("prompt", 0).put("completion", completion).put("total", completion);
            meta.put("tokens_estimated", true);
            if ("cancelled".equals(cause)) {
                meta.put("finish_reason", "cancelled");
                finish("delivered", meta, null);
            } else {
                HubRegistry.log.warn("bot answer failed in chat {} ({})", hub.chat, cause, error);
                ctx.meters().failure(cause);
                meta.put("finish_reason", "error");
                meta.put("error", cause);
                finish("failed", meta, cause);
            }
        }

        private ObjectNode metadata(String model) {
            ObjectNode meta = Json.object();
            meta.put("generation_time_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - p.storedNanos));
            meta.put("model_used", model);
            meta.put("temperature", ctx.config().temperature());
            meta.put("max_tokens", ctx.config().maxTokens());
            return meta;
        }

        private void finish(String status, ObjectNode meta, String failureCause) {
            finished = true;
            // The closing chunk ends the typewriter on every client, whatever the outcome.
            hub.publishNow(ServerEvent.chunk(messageId, "", chunkEnds.size(), true), OutboundEvent.Kind.ESSENTIAL);
            if (failureCause != null) {
                hub.publishNow(ServerEvent.error(ErrorCode.BOT_RESPONSE_FAILED.name(),
                        "The bot could not finish its answer (" + failureCause + ")", null), OutboundEvent.Kind.ESSENTIAL);
            }
            ctx.meters().generated(System.nanoTime() - p.storedNanos);
            storeFinal(text.toString(), status, meta, 0);
        }

        /**
         * The final write, retried with backoff while the database is unavailable (about 10 s in all), so that a
         * passing outage does not leave the answer "typing"; the next queued answer waits, keeping answers in order.
         * If every attempt fails, the row stays "typing" and the next start marks it failed.
         */
        private void storeFinal(String finalText, String status, ObjectNode meta, int attempt) {
            DbCalls.supply(() -> {
                ctx.botStore().finish(hub.chat, seq, finalText, status, meta);
                List<MessageView> views = ctx.messages().after(hub.chat, null, seq - 1, 1);
                return views.isEmpty() ? null : views.get(0);
            }, ctx.db()).whenComplete((view, err) -> hub.loop.execute(() -> {
                if (err != null) {
                    ctx.meters().failure("store");
                    if (attempt + 1 < FINAL_WRITE_ATTEMPTS) {
                        long delay = Math.min(FINAL_WRITE_MAX_BACKOFF_MS, FINAL_WRITE_FIRST_BACKOFF_MS << attempt);
                        HubRegistry.log.warn("could not store the bot answer {} in chat {} (attempt {}); retrying in {} ms",
                                messageId, hub.chat, attempt + 1, delay, err);
                        hub.loop.schedule(() -> storeFinal(finalText, status, meta, attempt + 1), delay, TimeUnit.MILLISECONDS);
                        return;
                    }
                    HubRegistry.log.error("gave up storing the bot answer {} in chat {}", messageId, hub.chat, err);
                } else if (view != null) {
                    // Not new_message: clients that streamed it already show it; this adds the final status and metadata.
                    hub.publishNow(ServerEvent.messageUpdated(view), OutboundEvent.Kind.ESSENTIAL);
                }
                hub.publishNow(ServerEvent.typing(BotStore.BOT_ID, false, ""), OutboundEvent.Kind.TYPING);
                active = null;
                startNext();
            }));
        }
    }
}
