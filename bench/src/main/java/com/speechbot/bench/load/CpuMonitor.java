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

/**
 * How busy the tool itself was, so a run can tell "the server is slow" from "the load generator is saturated":
 * process CPU time (OperatingSystemMXBean), each event-loop thread's CPU time (ThreadMXBean: one thread near 100 %
 * caps the tool even when the process average looks low), the whole machine's load, and, with
 * {@code --server-pid}, the server's CPU and RSS from /proc.
 */
final class CpuMonitor {

    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on every Linux we run on

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final long serverPid;
    private double machineLoadSum;
    private int machineLoadSamples;

    CpuMonitor(long serverPid) {
        this.serverPid = serverPid;
        if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
            threads.setThreadCpuTimeEnabled(true);
        }
    }

    /** A point-in-time reading. */
    final class Snapshot {
        final long wallNanos = System.nanoTime();
        final long processCpuNanos = os.getProcessCpuTime();
        final Map<Long, Long> ioThreadCpu = ioThreadCpu();
        final long serverTicks = serverTicks();
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
            double serverCores = (b.serverTicks - a.serverTicks) / (double) CLOCK_TICKS_PER_SECOND / wall;
            m.put("server_cpu_cores", round3(serverCores));
            m.put("server_cpu_share", round3(serverCores / cores));
        }
        return m;
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

    private long serverTicks() {
        if (serverPid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(serverPid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime (fields 14 and 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
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
