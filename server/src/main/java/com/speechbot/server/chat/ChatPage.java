package com.speechbot.server.chat;

import com.speechbot.protocol.ChatView;
import java.util.List;

/**
 * One page of the caller's chats, newest activity first: the {@code data} of {@code GET /v1/chats}.
 *
 * @param chats      the chats of this page
 * @param pagination where this page sits in the whole list
 */
public record ChatPage(List<ChatView> chats, Pagination pagination) {

    public ChatPage {
        chats = List.copyOf(chats);
    }

    /**
     * Paging facts: {@code next_offset} is null on the last page.
     *
     * @param total    every chat the caller is a member of
     * @param returned the size of this page
     */
    public record Pagination(long total, int returned, boolean hasMore, Long nextOffset) {

        public static Pagination of(long total, long offset, int returned) {
            boolean more = offset + returned < total;
            return new Pagination(total, returned, more, more ? offset + returned : null);
        }
    }
}
