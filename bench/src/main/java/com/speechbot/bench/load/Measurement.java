package com.speechbot.bench.load;

import java.util.Map;

/**
 * What the runner measured around one window: the CPU figures ({@link CpuMonitor#between}) and, on our server,
 * the store's group-commit transactions by kind that committed in it (empty when /metrics is not ours).
 */
record Measurement(Window window, Map<String, Object> cpu, Map<String, Long> storeCommits) {

    /** A CPU figure in seconds, or NaN when it was not measured. */
    double cpuSeconds(String key) {
        return cpu.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
