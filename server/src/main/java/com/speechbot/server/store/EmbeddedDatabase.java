package com.speechbot.server.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A PostgreSQL server run from the data folder, so the default install needs no external database. */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private static final String USER = "postgres";
    private static final String DATABASE = "postgres";
    // zonky's own lock file: a live owner holds an OS lock on it, which the kernel drops when the owner dies
    private static final String OWNER_LOCK_FILE = "epg-lock";
    private static final Duration ORPHAN_SMART_STOP_WAIT = Duration.ofSeconds(5);
    private static final Duration ORPHAN_STOP_WAIT = Duration.ofSeconds(25);
    private static final Duration ORPHAN_KILL_WAIT = Duration.ofSeconds(10);
    // WAL recovery after an unclean stop can outlast zonky's 10 s default; not longer, because zonky ignores
    // pg_ctl's exit status, so a postgres that cannot start at all is only reported when this expires
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
    private static final boolean PROCFS = Files.isDirectory(Paths.get("/proc/self"));
    // checked before touching the lock file: closing any channel on it would drop this JVM's own lock (POSIX locks)
    private static final Set<Path> OPEN_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private final EmbeddedPostgres postgres;
    private final Path directory;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path directory) {
        this.postgres = postgres;
        this.directory = directory;
    }

    /** Starts PostgreSQL with its cluster in {@code dataDir/pg}, creating the cluster on first use. */
    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        Path pgDir = dataDir.resolve("pg").toAbsolutePath().normalize();
        if (!OPEN_IN_THIS_JVM.add(pgDir)) {
            throw new IllegalStateException("embedded PostgreSQL in " + pgDir + " is already open in this process");
        }
        try {
            Files.createDirectories(pgDir.getParent());
            stopOrphanedServer(pgDir);
            log.info("starting embedded PostgreSQL in {} (first start initialises the cluster, may take a few seconds)", pgDir);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgDir)
                    .setCleanDataDirectory(false)
                    // the owner closes us in its own shutdown sequence; zonky's hook would stop postgres while requests drain
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(STARTUP_WAIT)
                    // zonky is tuned for throwaway test databases (-F, synchronous_commit=off); this one holds real data
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .start();
            log.info("embedded PostgreSQL ready on port {}", pg.getPort());
            return new EmbeddedDatabase(pg, pgDir);
        } catch (IOException | RuntimeException | Error e) {
            OPEN_IN_THIS_JVM.remove(pgDir);
            throw e;
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE;
    }

    public String user() {
        return USER;
    }

    /** Empty: the cluster is created with trust authentication and only listens on localhost. */
    public String password() {
        return "";
    }

    public int port() {
        return postgres.getPort();
    }

    /** The PostgreSQL data directory ({@code dataDir/pg}). */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close();
            log.info("embedded PostgreSQL stopped");
        } catch (IOException e) {
            log.warn("could not stop embedded PostgreSQL in {} cleanly", directory, e);
        } finally {
            OPEN_IN_THIS_JVM.remove(directory);
        }
    }

    /**
     * Stops a postmaster a previous owner left behind: zonky's postgres is detached, so it outlives a SIGKILLed JVM
     * and would make our own start fail.
     */
    private static void stopOrphanedServer(Path pgDir) throws IOException {
        Path pidFile = pgDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        List<String> lines;
        long pid;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
            pid = Long.parseLong(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable {}; leaving it to PostgreSQL", pidFile, e);
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(p -> isRunning(p.pid()));
        if (process.isEmpty()) {
            removeIfUnreaped(pidFile, pid);
            return;
        }
        requireNoLiveOwner(pgDir);
        ProcessHandle postmaster = process.get();
        Optional<String> command = postmaster.info().command();
        if (command.isPresent() && !command.get().contains("postgres")) {
            // the pid was reused by an unrelated process; postgres refuses to start while that pid is alive
            log.warn("{} names pid {}, which is now {}, not PostgreSQL; removing the stale pid file", pidFile, pid, command.get());
            Files.deleteIfExists(pidFile);
            return;
        }
        if (lines.size() > 1 && !sameDirectory(lines.get(1).trim(), pgDir)) {
            // not ours to stop, and postgres will not start while the pid in its lock file is alive
            throw new IllegalStateException(pidFile + " names live PostgreSQL pid " + pid + " serving another data directory ("
                    + lines.get(1).trim() + "); stop it or remove the stale pid file");
        }
        String port = lines.size() > 3 ? lines.get(3).trim() : "?";
        log.warn("embedded PostgreSQL (pid {}, port {}) in {} was left running by a previous process that did not shut down;"
                + " stopping it before starting again", pid, port, pgDir);
        stop(postmaster);
        removeIfUnreaped(pidFile, pid);
    }

    /**
     * Removes the pid file of a postmaster that exited without removing it (SIGKILL) but is still a zombie: postgres
     * takes a zombie for a live postmaster and refuses to start, and the parent (init, or a JVM running as pid 1) may
     * reap it late or never.
     */
    private static void removeIfUnreaped(Path pidFile, long pid) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        if (isZombie(pid)) {
            log.warn("pid {} named in {} has exited but is not yet reaped; removing the stale pid file", pid, pidFile);
            Files.deleteIfExists(pidFile);
        } else {
            log.info("found stale {} of exited process {}; PostgreSQL will replace it", pidFile, pid);
        }
    }

    /** Fails if another live process still owns the directory: its postgres is in use, not orphaned. */
    private static void requireNoLiveOwner(Path pgDir) throws IOException {
        Path lockFile = pgDir.resolve(OWNER_LOCK_FILE);
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new IllegalStateException("embedded PostgreSQL in " + pgDir + " is already open in this process");
            }
            if (lock == null) {
                throw new IllegalStateException("embedded PostgreSQL in " + pgDir
                        + " is in use by another running process; stop that process or use another data folder");
            }
            lock.release();
        }
    }

    private static void stop(ProcessHandle postmaster) {
        List<ProcessHandle> backends = postmaster.descendants().toList();
        // SIGTERM, a smart shutdown: the clients died with their JVM, so postgres exits within about a second
        postmaster.destroy();
        if (awaitExit(postmaster.pid(), ORPHAN_SMART_STOP_WAIT)) {
            log.info("stopped orphaned PostgreSQL pid {}", postmaster.pid());
            return;
        }
        // smart shutdown waits for every client; a stray one (psql, monitoring) would hold us up, so ask for a fast one
        log.warn("orphaned PostgreSQL pid {} still has clients; asking for a fast shutdown", postmaster.pid());
        signalInterrupt(postmaster.pid());
        if (awaitExit(postmaster.pid(), ORPHAN_STOP_WAIT)) {
            log.info("stopped orphaned PostgreSQL pid {}", postmaster.pid());
            return;
        }
        log.warn("orphaned PostgreSQL pid {} did not stop; killing it", postmaster.pid());
        postmaster.destroyForcibly();
        // backends still attached to the old shared memory would make the new postmaster refuse to start
        backends.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(postmaster.pid(), ORPHAN_KILL_WAIT)) {
            throw new IllegalStateException("could not stop orphaned PostgreSQL pid " + postmaster.pid());
        }
        for (ProcessHandle backend : backends) {
            awaitExit(backend.pid(), ORPHAN_KILL_WAIT);
        }
    }

    private static void signalInterrupt(long pid) {
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            log.debug("could not run kill -INT {}", pid, e); // no kill command: fall through to SIGKILL
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the pid is a live process; a zombie counts as exited, because an orphaned postmaster is reparented to
     * init, which may reap it late, and ProcessHandle reports zombies as alive.
     */
    static boolean isRunning(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && !isZombie(pid);
    }

    private static boolean isZombie(long pid) {
        if (!PROCFS) {
            return false;
        }
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean sameDirectory(String recorded, Path pgDir) {
        try {
            Path other = Paths.get(recorded);
            return other.toAbsolutePath().normalize().equals(pgDir)
                    || (Files.exists(other) && Files.isSameFile(other, pgDir));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
