package com.speechbot.client.rest;

import com.speechbot.protocol.ChatView;
import java.util.List;

/** One page of the caller's chats (newest activity first); {@code next_offset} is null on the last page. */
public record ChatList(List<ChatView> chats, Paging pagination) {

    /** Where this page sits in the whole list. */
    public record Paging(long total, int returned, boolean hasMore, Long nextOffset) {}
}
