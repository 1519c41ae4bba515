package com.speechbot.server.message;

/**
 * A validated page request: {@code beforeSeq}/{@code afterSeq} are exclusive seq bounds (null for none),
 * {@code threadId} null for all threads.
 */
public record MessageQuery(int limit, int offset, Long beforeSeq, Long afterSeq, boolean ascending, String threadId) {

    public MessageQuery {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0");
        }
    }
}
