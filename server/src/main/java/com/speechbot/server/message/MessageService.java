package com.speechbot.server.message;

import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.server.error.ApiException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The non-blocking face of {@link MessageStore}: each call runs the store on the database executor and, once the
 * transaction committed, tells {@link MessageEvents}. A full executor queue is a 503 {@code SERVICE_UNAVAILABLE}.
 */
public final class MessageService {

    private static final Logger log = LoggerFactory.getLogger(MessageService.class);

    private final MessageStore store;
    private final Executor dbExecutor;
    private final MessageEvents events;
    private final SendPath sendPath;

    public MessageService(MessageStore store, Executor dbExecutor, MessageEvents events) {
        this(store, dbExecutor, events, null);
    }

    /** {@code sendPath} routes sends through the chat hubs (ordering, group commit, broadcast); null stores directly. */
    public MessageService(MessageStore store, Executor dbExecutor, MessageEvents events, SendPath sendPath) {
        this.store = store;
        this.dbExecutor = dbExecutor;
        this.events = events == null ? MessageEvents.NONE : events;
        this.sendPath = sendPath;
    }

    /** Where a send goes to be stored and broadcast: the realtime layer's hub registry. */
    @FunctionalInterface
    public interface SendPath {
        CompletableFuture<SendOutcome> send(long chat, SendCommand command);
    }

    public MessageStore store() {
        return store;
    }

    /** One send as a batch of one (the chat hub will group sends itself); the outcome may be FAILED. */
    public CompletableFuture<SendOutcome> send(long chat, SendCommand command) {
        if (sendPath != null) {
            return sendPath.send(chat, command);
        }
        return sendBatch(chat, List.of(command)).thenApply(outcomes -> outcomes.get(0));
    }

    public CompletableFuture<List<SendOutcome>> sendBatch(long chat, List<SendCommand> commands) {
        return run(() -> store.insertBatch(chat, commands), outcomes -> events.messagesStored(chat, outcomes));
    }

    public CompletableFuture<MessagePage> list(long chat, String userId, MessageQuery query) {
        return run(() -> store.list(chat, userId, query), null);
    }

    public CompletableFuture<MessageView> edit(long chat, long seq, String userId, EditRequest edit) {
        return run(() -> store.edit(chat, seq, userId, edit), view -> events.messageUpdated(chat, view));
    }

    public CompletableFuture<DeletionResult> delete(long chat, long seq, String userId, boolean hard, String deleteFor) {
        return run(() -> store.delete(chat, seq, userId, hard, deleteFor),
                result -> events.messageDeleted(chat, result, userId));
    }

    public CompletableFuture<MessageView> restore(long chat, long seq, String userId) {
        return run(() -> store.restore(chat, seq, userId), view -> events.messageUpdated(chat, view));
    }

    public CompletableFuture<ReactionResult> react(long chat, long seq, String userId, String emoji, String action) {
        return run(() -> store.react(chat, seq, userId, emoji, action), result -> events.reactionUpdated(chat, result));
    }

    public CompletableFuture<AttachmentContent> attachment(String attachmentId, String userId) {
        return run(() -> store.attachment(attachmentId, userId), null);
    }

    private <T> CompletableFuture<T> run(Supplier<T> work, Consumer<T> notify) {
        CompletableFuture<T> f;
        try {
            f = CompletableFuture.supplyAsync(work, dbExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new ApiException(ErrorCode.SERVICE_UNAVAILABLE, "Server is busy, please retry"));
        }
        if (notify == null) {
            return f;
        }
        return f.thenApply(result -> {
            try {
                notify.accept(result);
            } catch (RuntimeException e) {
                log.warn("message event listener failed", e);
            }
            return result;
        });
    }
}
