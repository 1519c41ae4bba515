package com.speechbot.client.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.event.ServerEvent;
import java.time.Duration;

/** What a {@link ChatConnection} reports, in order, on the executor of its {@link ConnectionOptions}. */
public sealed interface ChatEvent {

    /** The socket is open; when {@code resuming}, missed messages follow, then {@link Resumed}. */
    record Connected(boolean resuming) implements ChatEvent {}

    /** The replay after a reconnect is done: from here on events are live, and queued sends go out. */
    record Resumed(String lastMessageId, int replayed) implements ChatEvent {}

    /** The socket closed; {@code retryIn} is null when the connection stops (see {@link CloseReason#reconnects()}). */
    record Disconnected(CloseReason reason, int closeCode, String detail, Duration retryIn) implements ChatEvent {}

    /**
     * A message, delivered once per id. {@code confirmsLocalSend} is true when it is the stored copy of a send from
     * this connection: replace the optimistic copy with the same {@code client_message_id}.
     */
    record NewMessage(MessageView message, boolean confirmsLocalSend) implements ChatEvent {}

    /** An edit, a restore, or a bot answer's final stored version (content and metadata). */
    record MessageUpdated(MessageView message) implements ChatEvent {}

    record StatusChanged(ServerEvent.MessageStatus status) implements ChatEvent {}

    record TypingChanged(ServerEvent.TypingIndicator typing) implements ChatEvent {}

    record MessageDeleted(ServerEvent.MessageDeleted deletion) implements ChatEvent {}

    record ReactionChanged(ServerEvent.ReactionUpdated reaction) implements ChatEvent {}

    /** The bot's answer grew by {@code delta} (or completed: {@link BotAnswer#isComplete()}). */
    record AnswerProgress(BotAnswer answer, String delta) implements ChatEvent {}

    /** An {@code error} event not about a queued send (those go to {@code onGiveUp} or are retried). */
    record ServerError(ServerEvent.ErrorPayload error) implements ChatEvent {}

    /** An event type this client version does not know. */
    record Other(String type, JsonNode data) implements ChatEvent {}
}
