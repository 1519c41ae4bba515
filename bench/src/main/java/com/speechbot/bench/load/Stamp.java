package com.speechbot.bench.load;

/**
 * Message content that carries its own send time: {@code t:<nanoTime>:<sender connection>:<seq>[:padding]}. The
 * tool is one process, so every receiving connection subtracts the same clock.
 */
final class Stamp {

    private Stamp() {}

    static String format(long sendNanos, int sender, long seq, String padding) {
        StringBuilder sb = new StringBuilder(40 + padding.length());
        sb.append("t:").append(sendNanos).append(':').append(sender).append(':').append(seq);
        if (!padding.isEmpty()) {
            sb.append(':').append(padding);
        }
        return sb.toString();
    }

    /** The send time, or {@link Long#MIN_VALUE} when {@code content} is not a stamp of ours. */
    static long sendNanos(String content) {
        if (content == null || content.length() < 4 || content.charAt(0) != 't' || content.charAt(1) != ':') {
            return Long.MIN_VALUE;
        }
        return number(content, 2);
    }

    /** The sending connection's index, or -1. */
    static int sender(String content) {
        int first = content.indexOf(':', 2);
        if (first < 0) {
            return -1;
        }
        long v = number(content, first + 1);
        return v == Long.MIN_VALUE ? -1 : (int) v;
    }

    private static long number(String s, int from) {
        boolean negative = from < s.length() && s.charAt(from) == '-';
        int i = negative ? from + 1 : from;
        long v = 0;
        int digits = 0;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == ':') {
                break;
            }
            if (ch < '0' || ch > '9' || ++digits > 19) {
                return Long.MIN_VALUE;
            }
            v = v * 10 + (ch - '0');
        }
        return digits == 0 ? Long.MIN_VALUE : negative ? -v : v;
    }

    /** {@code n} filler characters (JSON-safe) to reach a message size. */
    static String padding(int n) {
        return "x".repeat(Math.max(0, n));
    }
}
