package com.speechbot.bench.load;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle every scenario shares: provision chats, open the sockets, prepare, warm up, measure for exactly
 * --duration seconds, stop sending, drain, report (figures, connection health, event counts, CPU), close.
 */
final class ScenarioRunner {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Options options;
    private final Scenario scenario;
    private final String runId;
    private final Progress progress;

    ScenarioRunner(Options options, Scenario scenario, String runId, Progress progress) {
        this.options = options;
        this.scenario = scenario;
        this.runId = runId;
        this.progress = progress;
    }

    Result run() throws Exception {
        Result r = new Result();
        r.put("tool", "speechbot-load");
        r.put("scenario", options.scenario);
        r.put("target", options.target.wireName);
        r.put("url", options.wsBase.toString());
        r.put("started_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        r.put("run_id", runId);
        r.put("params", options.describe());

        TokenMinter tokens = TokenMinter.forTarget(options);
        long t0 = System.nanoTime();
        progress.say("%s against %s (%s): provisioning %d chat(s) x %d member(s)", options.scenario,
                options.target.wireName, options.wsBase, options.chats, options.members);
        List<ChatPlan> chats = new ChatProvisioner(options, tokens, runId).provision(options.chats, options.members,
                scenario.botEnabled());
        double setupSeconds = (System.nanoTime() - t0) / 1e9;

        List<WsConnection> planned = new ArrayList<>(options.totalConnections());
        int index = 0;
        for (ChatPlan chat : chats) {
            for (int m = 0; m < chat.members(); m++) {
                planned.add(new WsConnection(index++, chat, m));
            }
        }
        scenario.beforeConnect(r);
        CpuMonitor cpu = new CpuMonitor(options);
        try (WsClient client = new WsClient(options)) {
            r.put("transport", client.transport());
            ConnectionRamp ramp = new ConnectionRamp(options, client, tokens);
            List<WsConnection> open = ramp.open(planned, scenario, progress);
            scenario.connections = open;
            Map<String, Object> conns = r.section("connections");
            conns.put("requested", planned.size());
            conns.put("opened", open.size());
            conns.put("failed", ramp.failureCount());
            conns.put("failures", ramp.failuresByReason());
            conns.put("setup_seconds", Result.round1(setupSeconds));
            conns.put("ramp_seconds", Result.round1(ramp.seconds));
            conns.put("ramp_per_s", Result.round1(open.size() / Math.max(ramp.seconds, 1e-3)));
            conns.put("handshake", ramp.handshake.summary());
            r.line("Connections: %,d/%,d open (%,d failed) in %.1f s (%,.0f/s), chat setup %.1f s, %s, %d source IP(s)",
                    open.size(), planned.size(), ramp.failureCount(), ramp.seconds, open.size() / Math.max(ramp.seconds, 1e-3),
                    setupSeconds, client.transport(), options.sourceIps);
            r.line("  handshake   %s", ramp.handshake.line());
            ramp.failuresByReason().forEach((why, n) -> r.line("  failed x%,d: %s", n, why));
            if (open.isEmpty()) {
                r.put("error", "no connection opened");
                return r;
            }

            scenario.prepare(progress);
            MetricsScraper metrics = options.target == Target.SPEECHBOT ? new MetricsScraper(options.httpBase) : null;
            Measurement m;
            int windows = 0;
            do {
                windows++;
                Window w = Window.startingNow(options.warmupSeconds, options.durationSeconds);
                scenario.window = w;
                scenario.start(w);
                m = measure(w, cpu, metrics);
                scenario.stop();
                long drainEnd = System.nanoTime() + options.drainSeconds * SECOND;
                while (System.nanoTime() < drainEnd) {
                    TimeUnit.MILLISECONDS.sleep(Math.min(1000, Math.max(1, (drainEnd - System.nanoTime()) / 1_000_000)));
                    progress.say("drain   %s", scenario.progress());
                }
            } while (scenario.stepDone(m, r));

            scenario.report(r);
            conns.put("unexpected_closes", client.stats.unexpectedCloseCount());
            conns.put("unexpected_closes_by_code", client.stats.unexpectedClosesByReason());
            conns.put("pings_answered", client.stats.pingsAnswered.sum());
            conns.put("malformed_frames", client.stats.malformedFrames.sum());
            Map<String, Object> ev = r.section("events");
            ev.put("received_in_window", scenario.events.inWindowByType());
            ev.put("received_total", scenario.events.totals());
            ev.put("bytes_in_window_per_s", Result.round1(m.window().perSecond(scenario.events.bytesInWindow.sum())));
            ev.put("errors_by_code", scenario.events.errorsByCode());
            ev.put("error_samples", scenario.events.errorSamples());
            Map<String, Object> cpuFigures = m.cpu();
            r.put("cpu", cpuFigures);
            if (!m.storeCommits().isEmpty()) {
                r.put("store_commits_in_window", m.storeCommits());
            }

            r.line("  events      in window %s", scenario.events.inWindowByType());
            if (scenario.events.errorCount() > 0) {
                r.line("  errors      %s e.g. %s", scenario.events.errorsByCode(), scenario.events.errorSamples());
            }
            if (client.stats.unexpectedCloseCount() > 0) {
                r.line("  closed by server/network: %s", client.stats.unexpectedClosesByReason());
            }
            r.line("CPU%s: tool %.2f cores (%.0f%% of %d), busiest tool event loop %.0f%%, machine %s%s%s",
                    windows > 1 ? " (last of " + windows + " windows)" : "",
                    num(cpuFigures.get("tool_cpu_cores")), num(cpuFigures.get("tool_cpu_share")) * 100,
                    (Integer) cpuFigures.get("cores"), num(cpuFigures.get("tool_io_thread_max_util")) * 100,
                    cpuFigures.get("machine_cpu_load") == null ? "n/a"
                            : Math.round(num(cpuFigures.get("machine_cpu_load")) * 100) + "%",
                    cpuFigures.containsKey("server_cpu_cores")
                            ? String.format(java.util.Locale.ROOT, ", server %.2f cores", num(cpuFigures.get("server_cpu_cores"))) : "",
                    cpuFigures.containsKey("postgres_cpu_cores")
                            ? String.format(java.util.Locale.ROOT, " + PostgreSQL %.2f cores (%d processes)",
                                    num(cpuFigures.get("postgres_cpu_cores")), (Integer) cpuFigures.get("postgres_processes"))
                            : cpuFigures.containsKey("postgres_error") ? " (PostgreSQL: " + cpuFigures.get("postgres_error") + ")" : "");
            String hint = CpuMonitor.bottleneckHint(cpuFigures);
            if (hint != null) {
                r.line("%s", hint);
                r.put("warning", hint);
            }

            closeAll(open);
            scenario.afterClose(r);
        }
        return r;
    }

    /**
     * Waits out the warmup and the window, ticking the scenario once a second; the CPU and the store's transaction
     * counts are read at the window's edges (the /metrics request outside it, so its cost is not counted).
     */
    private Measurement measure(Window w, CpuMonitor cpu, MetricsScraper metrics) throws InterruptedException {
        CpuMonitor.Snapshot a = null;
        Map<String, Long> commitsBefore = Map.of();
        long nextTick = w.trafficStart + SECOND;
        while (true) {
            long now = System.nanoTime();
            if (a == null && now >= w.measureStart) {
                commitsBefore = metrics == null ? Map.of() : metrics.storeCommits();
                a = cpu.snapshot();
                cpu.resetMachineSamples();
            }
            if (now >= w.measureEnd) {
                CpuMonitor.Snapshot b = cpu.snapshot();
                Map<String, Long> commitsAfter = metrics == null ? Map.of() : metrics.storeCommits();
                return new Measurement(w, cpu.between(a, b), delta(commitsBefore, commitsAfter));
            }
            if (now >= nextTick) {
                cpu.sampleMachine();
                scenario.tick(now);
                progress.say("%s %s", now < w.measureStart ? "warmup " : "measure", scenario.progress());
                nextTick += SECOND;
            }
            long until = Math.min(nextTick, a == null ? w.measureStart : w.measureEnd);
            long sleep = until - System.nanoTime();
            if (sleep > 0) {
                TimeUnit.NANOSECONDS.sleep(sleep);
            }
        }
    }

    /** Counts that grew between two scrapes, by key; empty when either scrape found nothing. */
    static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new TreeMap<>();
        if (before.isEmpty() || after.isEmpty()) {
            return d;
        }
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }

    private static void closeAll(List<WsConnection> open) throws InterruptedException {
        for (WsConnection c : open) {
            c.close();
        }
        long deadline = System.nanoTime() + 3 * SECOND;
        for (WsConnection c : open) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            if (c.channel != null) {
                c.channel.closeFuture().await(TimeUnit.NANOSECONDS.toMillis(left));
            }
        }
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }
}
