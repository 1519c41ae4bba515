package com.speechbot.server.store;

import com.speechbot.server.logging.Progress;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The migrated database: connection pool, Jdbi, the embedded server when no URL is configured, and the JDBC worker threads. */
public final class Database implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private static final String POOL_NAME = "speechbot-db";
    private static final long CONNECTION_TIMEOUT_MS = 10_000;
    private static final int QUEUE_PER_THREAD = 1024;
    private static final long EXECUTOR_DRAIN_SECONDS = 10;
    private static final int PING_TIMEOUT_SECONDS = 2;

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final EmbeddedDatabase embedded;
    private final ThreadPoolExecutor executor;
    private final ExecutorService pinger;
    private final int schemaVersion;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object pingLock = new Object();
    private Future<Boolean> pendingPing;

    private Database(HikariDataSource dataSource, EmbeddedDatabase embedded, int schemaVersion, int poolSize) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.schemaVersion = schemaVersion;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new SqlObjectPlugin());
        AtomicInteger threadNumber = new AtomicInteger();
        // bounded so an overloaded database turns into fast rejections (503) instead of an unbounded backlog
        this.executor = new ThreadPoolExecutor(poolSize, poolSize, 0L, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(poolSize * QUEUE_PER_THREAD),
                r -> {
                    Thread t = new Thread(r, "db-" + threadNumber.incrementAndGet());
                    t.setDaemon(false);
                    return t;
                },
                new ThreadPoolExecutor.AbortPolicy());
        this.pinger = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "db-ping");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Connects to {@code jdbcUrlOrNull}, or starts the embedded server in {@code dataDir} when it is null or blank
     * (then {@code user} and {@code password} are ignored), and migrates the schema.
     */
    public static Database open(String jdbcUrlOrNull, String user, String password, int poolSize, Path dataDir) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
        }
        EmbeddedDatabase embedded = null;
        HikariDataSource ds = null;
        try {
            String url = jdbcUrlOrNull;
            if (url == null || url.isBlank()) {
                try (Progress progress = Progress.start(log, "starting embedded PostgreSQL in " + dataDir.resolve("pg"))) {
                    embedded = EmbeddedDatabase.start(dataDir);
                }
                url = embedded.jdbcUrl();
                user = embedded.user();
                password = embedded.password();
            }
            HikariConfig config = new HikariConfig();
            config.setPoolName(POOL_NAME);
            config.setJdbcUrl(url);
            config.setUsername(user);
            config.setPassword(password);
            config.setMaximumPoolSize(poolSize);
            config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
            // the driver sends a JDBC batch of INSERTs as multi-row INSERTs (a group commit's attachments)
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            if (embedded == null) {
                log.info("connecting to PostgreSQL at {}", url.replaceAll("(?i)(password=)[^&;]*", "$1***"));
            }
            int version;
            try (Progress progress = Progress.start(log, "connecting to the database and migrating its schema")) {
                ds = new HikariDataSource(config);
                version = Migrator.migrate(ds);
            }
            Database db = new Database(ds, embedded, version, poolSize);
            log.info("database ready ({}, pool of {}, schema version {})", embedded != null ? "embedded" : "external",
                    poolSize, version);
            return db;
        } catch (IOException e) {
            UncheckedIOException failure =
                    new UncheckedIOException("could not start embedded PostgreSQL in " + dataDir.resolve("pg"), e);
            closeAfterFailure(ds, embedded, failure);
            throw failure;
        } catch (RuntimeException | Error e) {
            closeAfterFailure(ds, embedded, e);
            throw e;
        }
    }

    /** Brings the schema up to date and stops again, starting the embedded server if no URL is given; for the CLI. */
    public static void migrate(String jdbcUrlOrNull, String user, String password, Path dataDir) {
        open(jdbcUrlOrNull, user, password, 1, dataDir).close(); // open() migrates
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** Runs blocking JDBC work; rejects with {@link java.util.concurrent.RejectedExecutionException} when its queue is full. */
    public ExecutorService executor() {
        return executor;
    }

    public boolean isEmbedded() {
        return embedded != null;
    }

    /** The schema version after migration at open. */
    public int schemaVersion() {
        return schemaVersion;
    }

    /** Whether a {@code SELECT 1} succeeds within about 2 seconds, even when the pool cannot hand out a connection. */
    public boolean ping() {
        Future<Boolean> ping;
        synchronized (pingLock) {
            if (closed.get()) {
                return false;
            }
            // a probe stuck waiting for a connection is shared rather than piling up more waiting threads
            if (pendingPing == null || pendingPing.isDone()) {
                pendingPing = pinger.submit(this::pingNow);
            }
            ping = pendingPing;
        }
        try {
            return ping.get(PING_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean pingNow() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(PING_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next();
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("database ping failed", e);
            return false;
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(EXECUTOR_DRAIN_SECONDS, TimeUnit.SECONDS)) {
                log.warn("database work still running after {} s; interrupting it", EXECUTOR_DRAIN_SECONDS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        synchronized (pingLock) {
            pinger.shutdownNow();
        }
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }

    private static void closeAfterFailure(HikariDataSource ds, EmbeddedDatabase embedded, Throwable failure) {
        for (AutoCloseable c : new AutoCloseable[] {ds, embedded}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
