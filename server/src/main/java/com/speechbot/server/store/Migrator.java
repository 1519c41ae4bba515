package com.speechbot.server.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward-only schema migrations from the classpath resources {@code db/migration/V<n>__<name>.sql}, applied in the
 * order of {@code db/migration/index.txt} (a shaded jar cannot list a resource directory reliably).
 */
public final class Migrator {

    private static final Logger log = LoggerFactory.getLogger(Migrator.class);

    private static final String LOCATION = "db/migration/";
    private static final Pattern FILE_NAME = Pattern.compile("V(\\d+)__[A-Za-z0-9_.-]+\\.sql");
    // one fixed key ("SpchBotM") so every node serialises on the same lock
    private static final long LOCK_KEY = 0x53706368426f744dL;

    private Migrator() {
    }

    private record Migration(int version, String name, String sql, String checksum) {
    }

    private record Applied(String name, String checksum) {
    }

    /** The oldest PostgreSQL the statements run on: MATERIALIZED CTEs and plan_cache_mode came with 12. */
    static final int MIN_POSTGRES_MAJOR = 12;

    /** Fails the start with a clear message instead of SQL errors on the first receipt or send. */
    static void requireSupported(int postgresMajor) {
        if (postgresMajor < MIN_POSTGRES_MAJOR) {
            throw new IllegalStateException("PostgreSQL " + MIN_POSTGRES_MAJOR + " or newer is required; the database"
                    + " server is version " + postgresMajor);
        }
    }

    /** Applies every pending migration and returns the resulting schema version (0 for none). */
    public static int migrate(DataSource ds) {
        List<Migration> migrations = load();
        try (Connection c = ds.getConnection()) {
            requireSupported(c.getMetaData().getDatabaseMajorVersion());
            Map<Integer, Applied> applied = inLockedTransaction(c, () -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL,"
                            + " checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
                }
                return applied(c);
            });
            for (Migration m : migrations) {
                Applied row = applied.get(m.version());
                if (row != null) {
                    verify(m, row);
                    continue;
                }
                inLockedTransaction(c, () -> {
                    // another node may have applied it while we waited for the lock
                    Applied raced = applied(c).get(m.version());
                    if (raced != null) {
                        verify(m, raced);
                        return null;
                    }
                    log.info("applying migration {}", m.name());
                    try (Statement s = c.createStatement()) {
                        s.execute(m.sql());
                    } catch (SQLException e) {
                        throw new SQLException("migration " + m.name() + " failed: " + e.getMessage(), e.getSQLState(), e);
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, now())")) {
                        ps.setInt(1, m.version());
                        ps.setString(2, m.name());
                        ps.setString(3, m.checksum());
                        ps.executeUpdate();
                    }
                    return null;
                });
            }
            int version = 0;
            for (Map.Entry<Integer, Applied> e : applied(c).entrySet()) {
                version = Math.max(version, e.getKey());
                if (migrations.stream().noneMatch(m -> m.version() == e.getKey())) {
                    // a newer node migrated further; expand-only migrations keep older code working, so only warn
                    log.warn("database has migration {} which this build does not know", e.getValue().name());
                }
            }
            log.info("schema at version {}", version);
            return version;
        } catch (SQLException e) {
            throw new IllegalStateException("database migration failed: " + e.getMessage(), e);
        }
    }

    /** The version the classpath migrations lead to. */
    static int latestVersion() {
        List<Migration> migrations = load();
        return migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
    }

    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    private static <T> T inLockedTransaction(Connection c, SqlWork<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, LOCK_KEY);
                ps.execute();
            }
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static Map<Integer, Applied> applied(Connection c) throws SQLException {
        Map<Integer, Applied> rows = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, name, checksum FROM schema_migrations")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), new Applied(rs.getString(2), rs.getString(3)));
            }
        }
        return rows;
    }

    private static void verify(Migration m, Applied row) {
        if (!m.checksum().equals(row.checksum())) {
            throw new IllegalStateException("migration " + m.name() + " was changed after it was applied (checksum "
                    + row.checksum() + " in the database, " + m.checksum() + " now); applied migrations must never be edited,"
                    + " add a new V<n>__ file instead");
        }
    }

    private static List<Migration> load() {
        List<Migration> migrations = new ArrayList<>();
        int previous = 0;
        for (String line : resource("index.txt").split("\\R")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher matcher = FILE_NAME.matcher(name);
            if (!matcher.matches()) {
                throw new IllegalStateException("bad migration name in " + LOCATION + "index.txt: " + name);
            }
            int version = Integer.parseInt(matcher.group(1));
            if (version <= previous) {
                throw new IllegalStateException(LOCATION + "index.txt must list versions in increasing order: " + name);
            }
            previous = version;
            String sql = resource(name);
            migrations.add(new Migration(version, name, sql, sha256(sql)));
        }
        return migrations;
    }

    private static String resource(String name) {
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(LOCATION + name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + LOCATION + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + LOCATION + name, e);
        }
    }

    private static String sha256(String text) {
        // line endings normalised so a CRLF checkout builds a jar that agrees with databases migrated from LF builds
        byte[] bytes = text.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
