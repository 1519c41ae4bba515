package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.Ids;
import java.time.Instant;
import java.util.List;

/**
 * One {@code chats} row.
 *
 * @param id           the chat number ({@code chat_<id>} on the wire)
 * @param lastSeq      the per-chat message sequence; 0 while the chat has no messages
 * @param messageCount the message count maintained by the message store
 */
public record ChatRow(long id, String title, String ownerId, boolean botEnabled, Instant createdAt, Instant updatedAt,
                      long lastSeq, long messageCount) {

    /** The public id, {@code chat_<id>}. */
    public String chatId() {
        return Ids.chatId(id);
    }

    /** {@code msg_<chat>_<last_seq>}, or null while no message was ever sent. */
    public String lastMessageId() {
        return lastSeq > 0 ? Ids.messageId(id, lastSeq) : null;
    }

    public boolean isOwner(String userId) {
        return ownerId.equals(userId);
    }

    /** The API view; {@code members} must already be sorted. */
    public ChatView toView(List<String> members) {
        return new ChatView(chatId(), title, ownerId, botEnabled, createdAt, updatedAt, messageCount, lastMessageId(),
                List.copyOf(members));
    }
}
