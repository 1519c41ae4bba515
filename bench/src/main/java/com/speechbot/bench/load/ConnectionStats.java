package com.speechbot.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** What happened to the sockets themselves: unexpected closes (by close code), pings, malformed frames. */
final class ConnectionStats {

    final Map<String, LongAdder> unexpectedCloses = new ConcurrentHashMap<>();
    final LongAdder pingsAnswered = new LongAdder();
    final LongAdder malformedFrames = new LongAdder();
    final LongAdder binaryFrames = new LongAdder();

    void unexpectedClose(String why) {
        unexpectedCloses.computeIfAbsent(why, k -> new LongAdder()).increment();
    }

    long unexpectedCloseCount() {
        return unexpectedCloses.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> unexpectedClosesByReason() {
        Map<String, Long> m = new TreeMap<>();
        unexpectedCloses.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
