package com.speechbot.protocol;

/** The {@code data} of a successful send. */
public record SentMessage(MessageView message, ChatUpdated chatUpdated) {}
