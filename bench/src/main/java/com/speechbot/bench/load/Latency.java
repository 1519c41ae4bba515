package com.speechbot.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A latency distribution recorded from any thread (HdrHistogram {@link Recorder}, wait-free writers) in
 * microseconds, reported in milliseconds.
 */
final class Latency {

    private final Recorder recorder = new Recorder(3);
    private Histogram total;

    void recordNanos(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1000));
    }

    /** Everything recorded so far (later calls add what arrived since). */
    synchronized Histogram snapshot() {
        Histogram interval = recorder.getIntervalHistogram();
        if (total == null) {
            total = interval.copy();
        } else {
            total.add(interval);
        }
        return total;
    }

    long count() {
        return snapshot().getTotalCount();
    }

    /** {count, p50, p90, p99, p99.9, max, mean} in ms; only count when empty. */
    Map<String, Object> summary() {
        Histogram h = snapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return m;
        }
        m.put("p50_ms", ms(h.getValueAtPercentile(50)));
        m.put("p90_ms", ms(h.getValueAtPercentile(90)));
        m.put("p99_ms", ms(h.getValueAtPercentile(99)));
        m.put("p999_ms", ms(h.getValueAtPercentile(99.9)));
        m.put("max_ms", ms(h.getMaxValue()));
        m.put("mean_ms", Math.round(h.getMean()) / 1000.0);
        return m;
    }

    /** One line for the human summary. */
    String line() {
        Histogram h = snapshot();
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f ms  (n=%,d)",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }
}
