package com.speechbot.client.rest;

/** The {@code data} of removing a member (or leaving); {@code removed} is false when the user was not one. */
public record MemberRemoved(String chatId, String userId, boolean removed) {}
