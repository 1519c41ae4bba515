package com.speechbot.protocol.event;

import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionTotal;
import com.speechbot.protocol.ReactionView;
import java.time.Instant;
import java.util.List;

/** A server → client frame {@code {type, data}}; the factories name every event type the server sends. */
public record ServerEvent(String type, Object data) {

    public static final String NEW_MESSAGE = "new_message";
    public static final String MESSAGE_STATUS = "message_status";
    public static final String TYPING_INDICATOR = "typing_indicator";
    public static final String BOT_RESPONSE_CHUNK = "bot_response_chunk";
    public static final String ERROR = "error";
    public static final String CONNECTION_ESTABLISHED = "connection_established";
    public static final String MESSAGE_UPDATED = "message_updated";
    public static final String MESSAGE_DELETED = "message_deleted";
    public static final String REACTION_UPDATED = "reaction_updated";
    public static final String RESUME_COMPLETE = "resume_complete";

    public static ServerEvent newMessage(MessageView message) {
        return new ServerEvent(NEW_MESSAGE, new MessagePayload(message));
    }

    public static ServerEvent messageUpdated(MessageView message) {
        return new ServerEvent(MESSAGE_UPDATED, new MessagePayload(message));
    }

    public static ServerEvent messageStatus(String messageId, String status, Instant timestamp, String userId) {
        return new ServerEvent(MESSAGE_STATUS, new MessageStatus(messageId, status, timestamp, userId));
    }

    public static ServerEvent typing(String userId, boolean isTyping, String typingText) {
        return new ServerEvent(TYPING_INDICATOR, new TypingIndicator(userId, isTyping, typingText));
    }

    public static ServerEvent chunk(String messageId, String chunk, int chunkIndex, boolean isComplete) {
        return new ServerEvent(BOT_RESPONSE_CHUNK, new BotResponseChunk(messageId, chunk, chunkIndex, isComplete));
    }

    public static ServerEvent error(String errorCode, String message, String clientMessageId) {
        return new ServerEvent(ERROR, new ErrorPayload(errorCode, message, clientMessageId));
    }

    public static ServerEvent messageDeleted(String messageId, String deletionType, String deletedFor, Instant deletedAt) {
        return new ServerEvent(MESSAGE_DELETED, new MessageDeleted(messageId, deletionType, deletedFor, deletedAt));
    }

    public static ServerEvent reactionUpdated(String messageId, String action, ReactionView reaction, List<ReactionTotal> totals) {
        return new ServerEvent(REACTION_UPDATED, new ReactionUpdated(messageId, action, reaction, totals));
    }

    /** {@code new_message} / {@code message_updated} payload. */
    public record MessagePayload(MessageView message) {}

    /** {@code message_status} payload; {@code user_id} names the reader (an addition to the spec). */
    public record MessageStatus(String messageId, String status, Instant timestamp, String userId) {}

    /** {@code typing_indicator} payload. */
    public record TypingIndicator(String userId, boolean isTyping, String typingText) {}

    /** {@code bot_response_chunk} payload. */
    public record BotResponseChunk(String messageId, String chunk, int chunkIndex, boolean isComplete) {}

    /** {@code error} payload. */
    public record ErrorPayload(String errorCode, String message, String clientMessageId) {}

    /** {@code message_deleted} payload. */
    public record MessageDeleted(String messageId, String deletionType, String deletedFor, Instant deletedAt) {}

    /** {@code reaction_updated} payload. */
    public record ReactionUpdated(String messageId, String action, ReactionView reaction, List<ReactionTotal> totalReactions) {}

    /** {@code connection_established} payload. */
    public record ConnectionEstablished(String chatId, String userId, Instant serverTime, String latestMessageId) {}
}
