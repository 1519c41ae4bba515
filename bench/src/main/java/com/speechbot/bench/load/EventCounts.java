package com.speechbot.bench.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Every event type received (overall and inside the window) and every {@code error} event by code. */
final class EventCounts {

    private final Map<String, LongAdder> total = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> inWindow = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final Map<String, String> errorSamples = new ConcurrentHashMap<>();
    final LongAdder bytesInWindow = new LongAdder();

    void count(InboundEvent e, Window w, long now) {
        total.computeIfAbsent(e.type, k -> new LongAdder()).increment();
        if (w != null && w.inWindow(now)) {
            inWindow.computeIfAbsent(e.type, k -> new LongAdder()).increment();
            bytesInWindow.add(e.bytes);
        }
        if ("error".equals(e.type)) {
            String code = e.errorCode == null ? "?" : e.errorCode;
            errors.computeIfAbsent(code, k -> new LongAdder()).increment();
            errorSamples.putIfAbsent(code, e.errorMessage == null ? "" : e.errorMessage);
        }
    }

    long inWindow(String type) {
        LongAdder a = inWindow.get(type);
        return a == null ? 0 : a.sum();
    }

    long total(String type) {
        LongAdder a = total.get(type);
        return a == null ? 0 : a.sum();
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> totals() {
        return snapshot(total);
    }

    Map<String, Long> inWindowByType() {
        return snapshot(inWindow);
    }

    Map<String, Long> errorsByCode() {
        return snapshot(errors);
    }

    Map<String, String> errorSamples() {
        return new TreeMap<>(errorSamples);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
        Map<String, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
