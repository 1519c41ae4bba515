package com.speechbot.protocol;

import java.time.Instant;

/** The short chat summary returned beside a page of messages. */
public record ChatInfo(String id, String title, Instant updatedAt) {}
