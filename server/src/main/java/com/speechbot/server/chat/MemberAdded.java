package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;

/**
 * Outcome of adding a member: {@code added} is false when the user already was one (a no-op).
 *
 * @param chatId the public chat id
 * @param chat   the chat after the change, members included
 */
public record MemberAdded(String chatId, String userId, boolean added, ChatView chat) {}
