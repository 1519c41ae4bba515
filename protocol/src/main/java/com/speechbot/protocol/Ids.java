package com.speechbot.protocol;

import java.util.OptionalLong;

/** Public identifiers: {@code chat_<n>}, {@code msg_<chat n>_<seq>}, {@code att_<n>}; the numbers are what the store keys on. */
public final class Ids {

    private Ids() {}

    public static String chatId(long chat) {
        return "chat_" + chat;
    }

    public static String messageId(long chat, long seq) {
        return "msg_" + chat + "_" + seq;
    }

    /** The chat number of {@code chat_<n>}, or empty when the id is not of that form. */
    public static OptionalLong parseChatId(String id) {
        if (id == null || !id.startsWith("chat_")) {
            return OptionalLong.empty();
        }
        return parsePositive(id, 5, id.length());
    }

    /** The {chat, seq} of {@code msg_<chat>_<seq>}, or null when malformed. */
    public static MessageKey parseMessageId(String id) {
        if (id == null || !id.startsWith("msg_")) {
            return null;
        }
        int sep = id.indexOf('_', 4);
        if (sep < 0) {
            return null;
        }
        OptionalLong chat = parsePositive(id, 4, sep);
        OptionalLong seq = parsePositive(id, sep + 1, id.length());
        if (chat.isEmpty() || seq.isEmpty()) {
            return null;
        }
        return new MessageKey(chat.getAsLong(), seq.getAsLong());
    }

    private static OptionalLong parsePositive(String s, int from, int to) {
        if (to - from < 1 || to - from > 18) {
            return OptionalLong.empty();
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            v = v * 10 + (c - '0');
        }
        return v > 0 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    /** A message's place: its chat and its per-chat sequence number. */
    public record MessageKey(long chat, long seq) {
        public String id() {
            return messageId(chat, seq);
        }
    }
}
