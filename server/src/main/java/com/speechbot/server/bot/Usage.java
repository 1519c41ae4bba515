package com.speechbot.server.bot;

/** Token counts of one answer; {@code estimated} when the backend did not report them (≈ 4 characters per token). */
public record Usage(int prompt, int completion, boolean estimated) {

    public int total() {
        return prompt + completion;
    }

    /** The documented estimate: one token per 4 characters, at least 1 for non-empty text. */
    public static int estimateTokens(String text) {
        return text == null || text.isEmpty() ? 0 : Math.max(1, (text.length() + 3) / 4);
    }
}
