package com.speechbot.bench.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the few series of our server's Prometheus {@code /metrics} the scenarios compare: heap used (every
 * {@code jvm_memory_used_bytes{area="heap"}} pool summed, old generation separately), live data after the last GC,
 * open WebSocket connections and active hubs (idle), and the store's transactions by kind (before and after a
 * measurement window: transactions per message).
 */
final class MetricsScraper {

    private final URI metricsUri;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();

    MetricsScraper(URI httpBase) {
        String base = httpBase.toString().replaceAll("/+$", "");
        this.metricsUri = URI.create(base + "/metrics");
    }

    private static final String COMMIT_COUNT = "speechbot_store_commit_seconds_count{";
    private static final Pattern KIND = Pattern.compile("[{,]kind=\"([^\"]*)\"");

    /** The exposition text, or null when the endpoint is missing or unreachable. */
    private String fetch() {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(metricsUri).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return res.statusCode() == 200 ? res.body() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Group-commit transactions so far by kind (sends, delivered, receipts); empty when /metrics is not ours. */
    Map<String, Long> storeCommits() {
        String text = fetch();
        return text == null ? Map.of() : storeCommits(text);
    }

    static Map<String, Long> storeCommits(String exposition) {
        Map<String, Long> m = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith(COMMIT_COUNT)) {
                Matcher kind = KIND.matcher(line);
                if (kind.find()) {
                    m.merge(kind.group(1), Math.round(value(line)), Long::sum);
                }
            }
        }
        return m;
    }

    /** The series found (absent ones are left out); empty when the endpoint is missing or unreachable. */
    Map<String, Double> scrape() {
        Map<String, Double> m = new LinkedHashMap<>();
        String text = fetch();
        if (text == null) {
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
