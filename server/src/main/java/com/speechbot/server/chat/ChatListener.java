package com.speechbot.server.chat;

/**
 * Told about committed chat changes, so a cache (the WebSocket hub's memberships and {@code bot_enabled}) can follow.
 * Called on a database executor thread after the transaction committed and before the caller's future completes;
 * implementations must be thread-safe and must not block. An exception thrown here is logged and otherwise ignored.
 */
public interface ChatListener {

    /** No-op listener. */
    ChatListener NONE = new ChatListener() {};

    /** The member set of {@code chat} changed (a chat was created, a member was added, removed or left). */
    default void membersChanged(long chat) {}

    /** {@code chat} was created or its title / bot_enabled changed; {@code row} is its committed state. */
    default void chatChanged(long chat, ChatRow row) {}
}
