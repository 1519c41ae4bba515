package com.speechbot.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.speechbot.server.TestHttp;
import com.speechbot.server.TestServer;
import com.speechbot.server.ws.WsTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The monitoring samples in {@code config/} match what the server really exports: every metric name in the Grafana
 * dashboard's PromQL (panels and template variables) is a sample name in a real {@code /metrics} scrape taken after
 * a WebSocket connection, a message and a streamed bot answer; and the Prometheus config scrapes that endpoint.
 * <p>
 * Names are compared as exported sample names, suffixes included ({@code _bucket}, {@code _count}, {@code _sum},
 * {@code _total}, {@code _max}): a dashboard asking for {@code x_bucket} of a meter without a histogram, or for the
 * bare name of a histogram, would draw nothing, so the suffix has to match too.
 */
class MonitoringConfigTest {

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "and", "or", "unless", "offset", "inf", "nan");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][a-zA-Z0-9_:]*");

    @Test
    void everyMetricInTheDashboardIsExportedByTheServer() throws Exception {
        Path repo = repoRoot();
        JsonNode dashboard = new ObjectMapper().readTree(repo.resolve("config/grafana-dashboard.json").toFile());
        List<String> queries = new ArrayList<>();
        collectQueries(dashboard, queries);
        assertThat(queries).as("PromQL in the dashboard").hasSizeGreaterThan(10);
        Set<String> referenced = new TreeSet<>();
        for (String q : queries) {
            referenced.addAll(metricNames(q));
        }
        assertThat(referenced).as("metric names found in the dashboard").contains("speechbot_ws_connections",
                "speechbot_ws_fanout_latency_seconds_bucket", "speechbot_bot_time_to_first_chunk_seconds",
                "hikaricp_connections_active", "jvm_memory_used_bytes");

        TestServer server = TestServer.shared();
        generateTraffic(server);

        // A few meters appear only once something happened (a GC pause, the bot's first answer): poll briefly.
        Set<String> missing = new TreeSet<>(referenced);
        Set<String> exported = Set.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(200);
            exported = sampleNames(server.http().get("/metrics", null).raw());
            missing.removeAll(exported);
        }
        assertThat(missing).as("metric names the dashboard uses but /metrics does not export (exported: %s)",
                exported).isEmpty();
    }

    @Test
    void prometheusScrapesTheMetricsEndpoint() throws IOException {
        JsonNode prom = new ObjectMapper(new YAMLFactory()).readTree(repoRoot().resolve("config/prometheus.yml").toFile());
        JsonNode job = prom.path("scrape_configs").get(0);
        assertThat(job).as("a scrape config").isNotNull();
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("localhost:8080");
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le) (rate(a_bucket{instance=~\"$instance\"}[$__rate_interval])))"))
                .containsExactly("a_bucket");
        assertThat(metricNames("sum(rate(a_sum[5m])) / sum without (x) (rate(b_count{k=\"v\", j!~\"w.*\"}[1m])) > 1e-3"))
                .containsExactlyInAnyOrder("a_sum", "b_count");
        assertThat(metricNames("label_values(speechbot_ws_connections, instance)")).containsExactly("speechbot_ws_connections");
        assertThat(metricNames("max by (quantile) (m{quantile=~\"0.5|0.99\"}) * on (instance) group_left (v) info"))
                .containsExactlyInAnyOrder("m", "info");
    }

    /** A WebSocket connection, a message and a whole bot answer, so the realtime and bot meters have samples. */
    private static void generateTraffic(TestServer server) {
        String user = TestServer.newUser("monitoring");
        String token = server.token(user);
        TestHttp.Resp chat = server.http().post("/v1/chats", token, Map.of("title", "monitoring", "bot_enabled", true));
        assertThat(chat.status()).as(chat.toString()).isEqualTo(201);
        String chatId = chat.data().path("chat").path("id").asText();
        try (WsTestClient ws = WsTestClient.connect(WsTestClient.url(server.wsUrl(), chatId), token)) {
            ws.send("connection_established", Map.of());
            ws.awaitEvent("connection_established");
            ws.send("typing", Map.of("is_typing", true));
            ws.sendMessage("How are the metrics today?", "monitoring-1");
            ws.awaitEvent("new_message");
            ws.awaitEvent("bot_response_chunk", d -> d.path("is_complete").asBoolean(), Duration.ofSeconds(20));
            ws.awaitEvent("message_updated");
        }
    }

    /** The names of the samples in a Prometheus text exposition. */
    static Set<String> sampleNames(byte[] scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : new String(scrape, StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** Every "expr" of the panels (rows included) and every template variable query. */
    private static void collectQueries(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                JsonNode v = e.getValue();
                if (e.getKey().equals("expr") && v.isTextual()) {
                    out.add(v.asText());
                } else if (e.getKey().equals("query") && v.isTextual() && v.asText().contains("(")) {
                    out.add(v.asText());
                } else {
                    collectQueries(v, out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectQueries(n, out));
        }
    }

    /**
     * The metric names a PromQL expression selects: strings, label matchers, ranges and grouping clauses removed,
     * then every identifier that is neither a function (followed by "(") nor a keyword.
     */
    static Set<String> metricNames(String promql) {
        String q = promql.replaceAll("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        if (q.startsWith("label_values(")) {
            q = q.replaceAll(",[^)]*\\)", ")"); // label_values(metric, label): the label is not a metric
        }
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(q);
        while (m.find()) {
            String word = m.group();
            int next = m.end();
            while (next < q.length() && Character.isWhitespace(q.charAt(next))) {
                next++;
            }
            boolean function = next < q.length() && q.charAt(next) == '(';
            if (!function && !PROMQL_WORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    static Path repoRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("config/grafana-dashboard.json"))) {
                return d;
            }
        }
        throw new AssertionError("no config/grafana-dashboard.json above " + dir);
    }
}
