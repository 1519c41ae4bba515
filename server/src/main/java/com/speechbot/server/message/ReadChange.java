package com.speechbot.server.message;

/** A message whose status a read receipt changed to {@code read}, with its author (who gets the status event). */
public record ReadChange(long seq, String authorId) {}
