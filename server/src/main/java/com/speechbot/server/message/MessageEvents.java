package com.speechbot.server.message;

import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionResult;
import java.util.List;

/**
 * Hooks the realtime layer implements to push changes made through {@link MessageService}; called on the database
 * executor after the transaction committed. Implementations must not block and must not throw.
 */
public interface MessageEvents {

    MessageEvents NONE = new MessageEvents() {};

    /** Outcomes of a send, in command order; only {@code STORED} ones are new messages (already in seq order). */
    default void messagesStored(long chat, List<SendOutcome> outcomes) {}

    /** A message was edited or restored. */
    default void messageUpdated(long chat, MessageView view) {}

    /** A message was deleted; {@code deleted_for = "me"} concerns only {@code actorId}'s sessions. */
    default void messageDeleted(long chat, DeletionResult result, String actorId) {}

    default void reactionUpdated(long chat, ReactionResult result) {}
}
