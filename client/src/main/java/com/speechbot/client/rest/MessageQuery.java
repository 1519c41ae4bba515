package com.speechbot.client.rest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;

/** The query of {@code GET /chats/{chat_id}/messages}; unset fields take the server's defaults (50, newest first). */
public record MessageQuery(Integer limit, Integer offset, String before, String after, Boolean ascending, String threadId) {

    public static MessageQuery newestFirst(int limit) {
        return new MessageQuery(limit, null, null, null, false, null);
    }

    /** Oldest first, after {@code messageId} (null: from the start). */
    public static MessageQuery after(String messageId, int limit) {
        return new MessageQuery(limit, null, null, messageId, true, null);
    }

    public static MessageQuery before(String messageId, int limit) {
        return new MessageQuery(limit, null, messageId, null, false, null);
    }

    public String toQueryString() {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        add(q, "limit", limit);
        add(q, "offset", offset);
        add(q, "before", before);
        add(q, "after", after);
        add(q, "order", ascending == null ? null : ascending ? "asc" : "desc");
        add(q, "thread_id", threadId);
        return q.toString();
    }

    private static void add(StringJoiner q, String name, Object value) {
        if (value != null) {
            q.add(name + "=" + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
        }
    }
}
