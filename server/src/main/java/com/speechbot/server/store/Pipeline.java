package com.speechbot.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Several SQL statements sent to PostgreSQL in one round trip. pgjdbc sends the parts of a multi-statement prepared
 * statement back to back with a single Sync, so N statements cost one wait for the database instead of N; on a busy
 * machine each wait is also a wake-up of the backend process, which is what dominated the send transaction. Results
 * come back in statement order. If a statement fails, PostgreSQL skips the rest up to the Sync and {@link #run} throws;
 * the transaction is then aborted, as with statements sent one by one.
 *
 * <p>Parameters are positional ({@code ?}); arrays ({@code Long[]}, {@code Integer[]}, {@code String[]}) are sent as
 * PostgreSQL arrays, an {@link Instant} as a UTC {@code timestamptz}. Write the SQL type at each placeholder
 * ({@code ?::bigint[]}) so that plans do not depend on what the driver guesses.
 */
public final class Pipeline {

    /** Reads one row of a statement's result. */
    @FunctionalInterface
    public interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** The rows of one statement, filled in by {@link #run}. */
    public static final class Rows<T> {
        private final RowReader<T> reader;
        private final List<T> rows = new ArrayList<>();

        private Rows(RowReader<T> reader) {
            this.reader = reader;
        }

        public List<T> list() {
            return rows;
        }
    }

    /** A statement of the pipeline failed (unchecked, like Jdbi's own exceptions). */
    public static final class Failed extends RuntimeException {
        Failed(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();
    /** One entry per statement: its rows, or null for a statement whose rows (if any) are not wanted. */
    private final List<Rows<?>> results = new ArrayList<>();

    /** Adds a statement whose rows are wanted. */
    public <T> Rows<T> query(String statement, RowReader<T> reader, Object... args) {
        Rows<T> rows = new Rows<>(reader);
        add(statement, rows, args);
        return rows;
    }

    /** Adds a statement run for its effect. */
    public Pipeline update(String statement, Object... args) {
        add(statement, null, args);
        return this;
    }

    /**
     * Ends the transaction in the same round trip. If an earlier statement failed, PostgreSQL never runs the COMMIT
     * (it skips to the Sync) and the caller's rollback applies; a later {@code Connection.commit()} is a no-op, as the
     * driver sees the transaction already ended.
     */
    public Pipeline commit() {
        return update("COMMIT");
    }

    public boolean isEmpty() {
        return results.isEmpty();
    }

    private void add(String statement, Rows<?> rows, Object[] args) {
        if (sql.length() > 0) {
            sql.append(";\n");
        }
        sql.append(statement);
        params.addAll(java.util.Arrays.asList(args)); // nulls are parameters too
        results.add(rows);
    }

    /** Sends every statement in one round trip and reads the results in order; a failure is a {@link Failed}. */
    public void run(Connection c) {
        if (results.isEmpty()) {
            return;
        }
        try {
            execute(c);
        } catch (SQLException e) {
            throw new Failed(e);
        }
    }

    private void execute(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                bind(c, ps, i + 1, params.get(i));
            }
            boolean isResultSet = ps.execute();
            for (Rows<?> rows : results) {
                if (isResultSet) {
                    try (ResultSet rs = ps.getResultSet()) {
                        if (rows != null) {
                            read(rows, rs);
                        }
                    }
                }
                isResultSet = ps.getMoreResults();
            }
        }
    }

    private static <T> void read(Rows<T> rows, ResultSet rs) throws SQLException {
        while (rs.next()) {
            rows.rows.add(rows.reader.read(rs));
        }
    }

    private static void bind(Connection c, PreparedStatement ps, int position, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(position, Types.NULL);
        } else if (value instanceof Long[] a) {
            ps.setArray(position, c.createArrayOf("bigint", a));
        } else if (value instanceof Integer[] a) {
            ps.setArray(position, c.createArrayOf("integer", a));
        } else if (value instanceof String[] a) {
            ps.setArray(position, c.createArrayOf("text", a));
        } else if (value instanceof Instant t) {
            ps.setObject(position, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        } else {
            ps.setObject(position, value);
        }
    }
}
