package com.speechbot.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the few series of our server's Prometheus {@code /metrics} that the idle scenario compares: heap used
 * (every {@code jvm_memory_used_bytes{area="heap"}} pool summed, old generation separately), live data after the
 * last GC, open WebSocket connections and active hubs.
 */
final class MetricsScraper {

    private final URI metricsUri;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    MetricsScraper(URI httpBase) {
        String base = httpBase.toString().replaceAll("/+$", "");
        this.metricsUri = URI.create(base + "/metrics");
    }

    /** The series found (absent ones are left out); empty when the endpoint is missing or unreachable. */
    Map<String, Double> scrape() {
        Map<String, Double> m = new LinkedHashMap<>();
        String text;
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(metricsUri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (res.statusCode() != 200) {
                return m;
            }
            text = res.body();
        } catch (Exception e) {
            return m;
        }
        double heap = 0;
        double oldGen = 0;
        boolean sawHeap = false;
        boolean sawOld = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                double v = value(line);
                heap += v;
                sawHeap = true;
                if (line.contains("Old Gen") || line.contains("Tenured")) {
                    oldGen += v;
                    sawOld = true;
                }
            } else if (line.startsWith("speechbot_ws_connections")) {
                m.put("ws_connections", value(line));
            } else if (line.startsWith("speechbot_hubs_active")) {
                m.put("hubs_active", value(line));
            } else if (line.startsWith("jvm_gc_live_data_size_bytes")) {
                m.put("gc_live_data_bytes", value(line));
            }
        }
        if (sawHeap) {
            m.put("heap_used_bytes", heap);
        }
        if (sawOld) {
            m.put("old_gen_used_bytes", oldGen);
        }
        return m;
    }

    private static double value(String line) {
        String[] parts = line.strip().split("\\s+");
        try {
            return Double.parseDouble(parts[parts.length - 1]);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
