package com.speechbot.bench.load;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * idle: --connections sockets opened and held --hold seconds without traffic (pings are answered). Compares the
 * server's /metrics (heap used, old generation, ws connection gauge) and, with --server-pid, its RSS before the
 * ramp and at the end of the hold; also the tool's own heap per socket, after a GC on our side.
 * <p>Heap used includes garbage that no GC has collected yet, so without a collection the per-connection heap figure
 * is noise (even negative); {@code --server-gc} runs a full GC in the server (jcmd) before both readings.
 */
final class IdleScenario extends Scenario {

    private final MetricsScraper scraper;
    private final CpuMonitor proc;
    private Map<String, Double> before = Map.of();
    private Map<String, Double> after = Map.of();
    private long rssBefore = -1;
    private long rssAfter = -1;
    private long toolHeapBefore;
    private long toolHeapAfter;
    private String gcProblem;

    IdleScenario(Options options, String runId) {
        super(options, runId);
        this.scraper = new MetricsScraper(options.httpBase);
        this.proc = new CpuMonitor(options);
    }

    @Override
    void beforeConnect(Result r) {
        gc(r);
        before = scraper.scrape();
        rssBefore = proc.serverRssBytes();
        toolHeapBefore = toolHeapAfterGc();
    }

    @Override
    void start(Window w) {}

    @Override
    void stop() {
        gc(null);
        after = scraper.scrape();
        rssAfter = proc.serverRssBytes();
        toolHeapAfter = toolHeapAfterGc();
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {}

    @Override
    String progress() {
        long open = connections.stream().filter(WsConnection::isOpen).count();
        return String.format(java.util.Locale.ROOT, "holding %,d open sockets", open);
    }

    @Override
    void report(Result r) {
        long open = connections.stream().filter(WsConnection::isOpen).count();
        Map<String, Object> m = r.section("idle");
        m.put("connections_open_at_end", open);
        m.put("server_metrics_before", before);
        m.put("server_metrics_after", after);
        Map<String, Object> per = new LinkedHashMap<>();
        perConnection(per, "heap_bytes_per_conn", "heap_used_bytes", open);
        perConnection(per, "old_gen_bytes_per_conn", "old_gen_used_bytes", open);
        perConnection(per, "live_data_bytes_per_conn", "gc_live_data_bytes", open);
        if (rssBefore > 0 && rssAfter > 0 && open > 0) {
            per.put("server_rss_bytes_per_conn", Math.round((rssAfter - rssBefore) / (double) open));
            m.put("server_rss_before", rssBefore);
            m.put("server_rss_after", rssAfter);
        }
        if (open > 0) {
            per.put("tool_heap_bytes_per_conn", Math.round((toolHeapAfter - toolHeapBefore) / (double) open));
        }
        m.put("per_connection", per);
        m.put("server_gc_before_readings", options.serverGc && gcProblem == null);
        if (gcProblem != null) {
            m.put("server_gc_problem", gcProblem);
        }
        r.line("Idle: %,d sockets in %d chats held %d s", open, options.chats, options.durationSeconds);
        if (before.isEmpty() || after.isEmpty()) {
            r.line("  server /metrics not available at %s/metrics (ws-node has none: use --server-pid for RSS)", options.httpBase);
        } else {
            r.line("  ws_connections   %s -> %s", fmt(before.get("ws_connections")), fmt(after.get("ws_connections")));
            r.line("  heap used        %s -> %s bytes", fmt(before.get("heap_used_bytes")), fmt(after.get("heap_used_bytes")));
        }
        per.forEach((k, v) -> r.line("  %-28s %s", k, v));
        if (!options.serverGc && !after.isEmpty()) {
            r.line("  (heap figures include uncollected garbage: add --server-gc --server-pid PID for live-data readings)");
        } else if (gcProblem != null) {
            r.line("  server GC failed: %s", gcProblem);
        }
    }

    @Override
    void afterClose(Result r) {
        if (before.isEmpty()) {
            return;
        }
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Map<String, Double> closed = scraper.scrape();
        r.section("idle").put("server_ws_connections_after_close", closed.get("ws_connections"));
    }

    /** With --server-gc: a full GC in the server before each reading, so heap used is live data. */
    private void gc(Result r) {
        if (!options.serverGc) {
            return;
        }
        String problem = ServerGc.run(options.serverPid);
        if (!problem.isEmpty()) {
            gcProblem = problem;
        }
    }

    private void perConnection(Map<String, Object> per, String name, String series, long open) {
        Double a = before.get(series);
        Double b = after.get(series);
        if (a != null && b != null && open > 0) {
            per.put(name, Math.round((b - a) / open));
        }
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format(java.util.Locale.ROOT, "%,.0f", d);
    }

    private static long toolHeapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
