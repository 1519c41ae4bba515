package com.speechbot.bench.load;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A window's server cost divided by its work: CPU of the server process and of its PostgreSQL (separately and
 * summed) per message sent and per frame delivered, and our store's transactions per message by kind.
 */
final class CostPerMessage {

    private CostPerMessage() {}

    static Map<String, Object> of(Measurement m, long messages, long frames) {
        Map<String, Object> out = new LinkedHashMap<>();
        double server = m.cpuSeconds("server_cpu_seconds");
        double postgres = m.cpuSeconds("postgres_cpu_seconds");
        double total = Double.isNaN(server) ? Double.NaN : Double.isNaN(postgres) ? server : server + postgres;
        if (messages > 0) {
            putIf(out, "server_cpu_ms_per_message", server * 1e3 / messages);
            putIf(out, "postgres_cpu_ms_per_message", postgres * 1e3 / messages);
            putIf(out, "total_cpu_ms_per_message", total * 1e3 / messages);
        }
        if (frames > 0) {
            putIf(out, "server_cpu_us_per_frame", server * 1e6 / frames);
            putIf(out, "postgres_cpu_us_per_frame", postgres * 1e6 / frames);
            putIf(out, "total_cpu_us_per_frame", total * 1e6 / frames);
        }
        if (!m.storeCommits().isEmpty() && messages > 0) {
            Map<String, Object> perMessage = new LinkedHashMap<>();
            m.storeCommits().forEach((kind, n) -> perMessage.put(kind, Math.round(n * 1000.0 / messages) / 1000.0));
            out.put("store_commits", m.storeCommits());
            out.put("store_commits_per_message", perMessage);
        }
        return out;
    }

    /** One line for the human summary: ms per message, server + PostgreSQL = total. */
    static String line(Map<String, Object> cost) {
        if (!cost.containsKey("server_cpu_ms_per_message")) {
            return "n/a (give --server-pid, and --server-data-dir for our PostgreSQL)";
        }
        String pg = cost.containsKey("postgres_cpu_ms_per_message")
                ? String.format(Locale.ROOT, " + PostgreSQL %.3f = %.3f", num(cost.get("postgres_cpu_ms_per_message")),
                        num(cost.get("total_cpu_ms_per_message")))
                : "";
        return String.format(Locale.ROOT, "server %.3f%s ms CPU per message (%.1f us per delivered frame)",
                num(cost.get("server_cpu_ms_per_message")), pg, num(cost.get("total_cpu_us_per_frame")));
    }

    private static void putIf(Map<String, Object> out, String key, double v) {
        if (!Double.isNaN(v)) {
            out.put(key, Math.round(v * 1000) / 1000.0);
        }
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
