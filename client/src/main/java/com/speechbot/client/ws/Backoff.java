package com.speechbot.client.ws;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter": attempt n waits between half and all of {@code min(max, initial * 2^n)}, so
 * clients dropped together by one server restart do not come back together.
 */
public record Backoff(Duration initial, Duration max) {

    public Duration delay(int attempt) {
        long ceiling = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 20));
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
