package com.speechbot.server.pipeline;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Request ids for logs and error envelopes: the caller's {@code X-Request-Id} when sane, else a short unique one. */
public final class RequestIds {

    private final String prefix = Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
    private final AtomicLong counter = new AtomicLong();

    public String idFor(String supplied) {
        if (supplied != null && !supplied.isEmpty() && supplied.length() <= 64 && supplied.chars().allMatch(
                c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
            return supplied;
        }
        return prefix + "-" + Long.toString(counter.incrementAndGet(), 36);
    }
}
