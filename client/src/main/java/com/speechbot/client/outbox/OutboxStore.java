package com.speechbot.client.outbox;

import java.util.List;

/**
 * Where unconfirmed sends are kept so they survive a lost connection and an app restart. Implementations must be
 * thread-safe; {@link #put} must be durable when it returns (an app may be killed right after).
 */
public interface OutboxStore {

    /** The queued sends of one chat, oldest first. */
    List<QueuedSend> load(String chatId);

    /** Adds or replaces (same {@code client_message_id}) one entry. */
    void put(QueuedSend send);

    /** Forgets one entry (confirmed or given up); unknown ids are ignored. */
    void remove(String clientMessageId);
}
