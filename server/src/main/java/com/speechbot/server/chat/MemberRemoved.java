package com.speechbot.server.chat;

/**
 * Outcome of removing a member (or leaving): {@code removed} is false when the user was not a member.
 *
 * @param chatId the public chat id
 */
public record MemberRemoved(String chatId, String userId, boolean removed) {}
