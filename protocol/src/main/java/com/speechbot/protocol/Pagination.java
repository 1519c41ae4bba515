package com.speechbot.protocol;

/** Paging facts of a message list; offsets are null where there is no such page. */
public record Pagination(long totalMessages, int returnedMessages, boolean hasMore, Integer nextOffset, Integer previousOffset) {}
