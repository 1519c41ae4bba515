package com.speechbot.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Linux process accounting from a /proc tree (the real one, or a fake one in tests): a process's CPU ticks, the
 * embedded PostgreSQL's postmaster, and the CPU of a whole process tree. The embedded PostgreSQL is detached from the
 * server JVM (pg_ctl daemonises it), so its postmaster and backends are found through the data directory, not as
 * the JVM's children.
 */
final class ProcFs {

    /** USER_HZ: the unit of the tick fields of /proc/PID/stat on every Linux we run on. */
    static final long TICKS_PER_SECOND = 100;

    private final Path root;

    ProcFs(Path root) {
        this.root = root;
    }

    static ProcFs system() {
        return new ProcFs(Path.of("/proc"));
    }

    /** The fields of one /proc/PID/stat line that CPU accounting needs (times in ticks). */
    record Stat(long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime) {

        /** Parses a stat line; the command name may hold spaces and parentheses, so fields count from the last ')'. */
        static Stat parse(String line) {
            int open = line.indexOf('(');
            int close = line.lastIndexOf(')');
            if (open < 0 || close < open) {
                throw new IllegalArgumentException("not a /proc stat line: " + line);
            }
            long pid = Long.parseLong(line.substring(0, open).strip());
            String[] f = line.substring(close + 1).strip().split("\\s+");
            // f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17
            return new Stat(pid, line.substring(open + 1, close), Long.parseLong(f[1]),
                    Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
        }

        long ownTicks() {
            return utime + stime;
        }
    }

    /** CPU ticks of a process tree at one moment. */
    record TreeTicks(long rootPid, int processes, long ticks) {}

    Optional<Stat> stat(long pid) {
        try {
            return Optional.of(Stat.parse(Files.readString(root.resolve(Long.toString(pid)).resolve("stat"))));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or not readable
        }
    }

    /** Every process whose stat can be read now. */
    List<Stat> all() {
        List<Stat> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, p -> isPid(p.getFileName().toString()))) {
            for (Path d : dirs) {
                stat(Long.parseLong(d.getFileName().toString())).ifPresent(out::add);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * The CPU a process tree has used so far: every live member's utime + stime, plus the root's cutime + cstime
     * (children it has already reaped, e.g. backends that came and went). Empty when the root is gone.
     */
    Optional<TreeTicks> treeTicks(long rootPid) {
        List<Stat> procs = all();
        Map<Long, List<Stat>> children = new HashMap<>();
        Stat top = null;
        for (Stat s : procs) {
            children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
            if (s.pid() == rootPid) {
                top = s;
            }
        }
        if (top == null) {
            return Optional.empty();
        }
        long ticks = top.cutime() + top.cstime();
        int count = 0;
        List<Stat> todo = new ArrayList<>(List.of(top));
        while (!todo.isEmpty()) {
            Stat s = todo.remove(todo.size() - 1);
            ticks += s.ownTicks();
            count++;
            todo.addAll(children.getOrDefault(s.pid(), List.of()));
        }
        return Optional.of(new TreeTicks(rootPid, count, ticks));
    }

    /**
     * The postmaster serving the cluster of a SpeechBot data directory ({@code dataDir/pg}, or {@code dataDir}
     * itself when it is the cluster): the pid in its postmaster.pid when that process is alive and a postgres, else
     * the postgres process started with {@code -D} on that directory.
     */
    Optional<Long> postmasterOf(Path dataDir) {
        Path cluster = Files.isRegularFile(dataDir.resolve("postmaster.pid")) ? dataDir : dataDir.resolve("pg");
        try {
            List<String> lines = Files.readAllLines(cluster.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            if (!lines.isEmpty() && isPid(lines.get(0).strip())) {
                long pid = Long.parseLong(lines.get(0).strip());
                if (stat(pid).filter(s -> s.comm().startsWith("postgres")).isPresent()) {
                    return Optional.of(pid);
                }
            }
        } catch (IOException e) {
            // no pid file (or unreadable): look for the process instead
        }
        String wanted = cluster.toAbsolutePath().normalize().toString();
        for (Stat s : all()) {
            if (!s.comm().startsWith("postgres")) {
                continue;
            }
            List<String> argv = cmdline(s.pid());
            int d = argv.indexOf("-D");
            if (d >= 0 && d + 1 < argv.size() && Path.of(argv.get(d + 1)).toAbsolutePath().normalize().toString().equals(wanted)) {
                return Optional.of(s.pid());
            }
        }
        return Optional.empty();
    }

    private List<String> cmdline(long pid) {
        try {
            String raw = Files.readString(root.resolve(Long.toString(pid)).resolve("cmdline"), StandardCharsets.UTF_8);
            List<String> argv = new ArrayList<>();
            for (String part : raw.split("\0")) {
                if (!part.isEmpty()) {
                    argv.add(part);
                }
            }
            return argv;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean isPid(String s) {
        if (s.isEmpty() || s.length() > 10) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
