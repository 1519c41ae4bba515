package com.speechbot.client.rest;

import com.speechbot.protocol.ChatView;

/** The {@code data} of adding a member; {@code added} is false when the user already was one. */
public record MemberAdded(String chatId, String userId, boolean added, ChatView chat) {}
