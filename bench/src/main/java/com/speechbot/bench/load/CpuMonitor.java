package com.speechbot.bench.load;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How busy the tool itself was, so a run can tell "the server is slow" from "the load generator is saturated":
 * process CPU time (OperatingSystemMXBean), each event-loop thread's CPU time (ThreadMXBean: one thread near 100 %
 * caps the tool even when the process average looks low), the whole machine's load, and, with
 * {@code --server-pid}, the server's CPU and RSS from /proc; with {@code --server-data-dir} or {@code --postgres-pid},
 * the CPU of its PostgreSQL (postmaster and every backend and helper process), which the JVM's own figure leaves out.
 */
final class CpuMonitor {

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final ProcFs proc = ProcFs.system();
    private final long serverPid;
    private final long postgresPid;
    private final Path serverDataDir;
    private double machineLoadSum;
    private int machineLoadSamples;

    CpuMonitor(Options options) {
        this.serverPid = options.serverPid;
        this.postgresPid = options.postgresPid;
        this.serverDataDir = options.serverDataDir;
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    /** A point-in-time reading. */
    final class Snapshot {
        final long wallNanos = System.nanoTime();
        final long processCpuNanos = os.getProcessCpuTime();
        final Map<Long, Long> ioThreadCpu = ioThreadCpu();
        final long serverTicks = serverPid > 0 ? proc.stat(serverPid).map(ProcFs.Stat::ownTicks).orElse(-1L) : -1;
        final ProcFs.TreeTicks postgres = postgresTicks();
    }

    Snapshot snapshot() {
        return new Snapshot();
    }

    /** Called about once a second during the measurement to average the machine's CPU load. */
    synchronized void sampleMachine() {
        double load = os.getCpuLoad();
        if (load >= 0) {
            machineLoadSum += load;
            machineLoadSamples++;
        }
    }

    synchronized void resetMachineSamples() {
        machineLoadSum = 0;
        machineLoadSamples = 0;
    }

    Map<String, Object> between(Snapshot a, Snapshot b) {
        double wall = (b.wallNanos - a.wallNanos) / 1e9;
        int cores = os.getAvailableProcessors();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", cores);
        double toolCores = (b.processCpuNanos - a.processCpuNanos) / 1e9 / wall;
        m.put("tool_cpu_cores", round3(toolCores));
        m.put("tool_cpu_share", round3(toolCores / cores));
        double maxIo = 0;
        double sumIo = 0;
        for (Map.Entry<Long, Long> e : b.ioThreadCpu.entrySet()) {
            long before = a.ioThreadCpu.getOrDefault(e.getKey(), 0L);
            double util = (e.getValue() - before) / 1e9 / wall;
            maxIo = Math.max(maxIo, util);
            sumIo += util;
        }
        m.put("tool_io_threads", b.ioThreadCpu.size());
        m.put("tool_io_thread_max_util", round3(maxIo));
        m.put("tool_io_threads_cores", round3(sumIo));
        synchronized (this) {
            m.put("machine_cpu_load", machineLoadSamples == 0 ? null : round3(machineLoadSum / machineLoadSamples));
        }
        if (serverPid > 0 && a.serverTicks >= 0 && b.serverTicks >= 0) {
            double serverSeconds = (b.serverTicks - a.serverTicks) / (double) ProcFs.TICKS_PER_SECOND;
            m.put("server_cpu_seconds", round3(serverSeconds));
            m.put("server_cpu_cores", round3(serverSeconds / wall));
            m.put("server_cpu_share", round3(serverSeconds / wall / cores));
        }
        if (watchesPostgres()) {
            if (a.postgres == null || b.postgres == null || a.postgres.rootPid() != b.postgres.rootPid()) {
                m.put("postgres_error", "no postmaster found (" + (postgresPid > 0 ? "pid " + postgresPid
                        : "data dir " + serverDataDir) + ") at both ends of the window");
            } else {
                double pgSeconds = (b.postgres.ticks() - a.postgres.ticks()) / (double) ProcFs.TICKS_PER_SECOND;
                m.put("postgres_pid", b.postgres.rootPid());
                m.put("postgres_processes", b.postgres.processes());
                m.put("postgres_cpu_seconds", round3(pgSeconds));
                m.put("postgres_cpu_cores", round3(pgSeconds / wall));
            }
        }
        return m;
    }

    boolean watchesPostgres() {
        return postgresPid > 0 || serverDataDir != null;
    }

    /** Found afresh at every snapshot: backends come and go, and the postmaster may have been restarted. */
    private ProcFs.TreeTicks postgresTicks() {
        if (!watchesPostgres()) {
            return null;
        }
        Optional<Long> root = postgresPid > 0 ? Optional.of(postgresPid) : proc.postmasterOf(serverDataDir);
        return root.flatMap(proc::treeTicks).orElse(null);
    }

    /** A human hint when the tool, not the server, may be the limit. */
    static String bottleneckHint(Map<String, Object> cpu) {
        double io = ((Number) cpu.getOrDefault("tool_io_thread_max_util", 0.0)).doubleValue();
        Object machine = cpu.get("machine_cpu_load");
        if (io > 0.85) {
            return "WARNING: a tool event loop was " + Math.round(io * 100) + "% busy: the tool may be the bottleneck"
                    + " (raise --io-threads or lower the load)";
        }
        if (machine instanceof Number n && n.doubleValue() > 0.95) {
            return "WARNING: the machine's CPUs were saturated (" + Math.round(n.doubleValue() * 100)
                    + "%): tool and server compete for cores, treat figures as a lower bound";
        }
        return null;
    }

    /** Resident set size of the server process in bytes, or -1. */
    long serverRssBytes() {
        if (serverPid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(serverPid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).strip().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private Map<Long, Long> ioThreadCpu() {
        Map<Long, Long> m = new HashMap<>();
        if (!threads.isThreadCpuTimeSupported()) {
            return m;
        }
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith(WsClient.IO_THREAD_PREFIX)) {
                long t = threads.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    m.put(info.getThreadId(), t);
                }
            }
        }
        return m;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
