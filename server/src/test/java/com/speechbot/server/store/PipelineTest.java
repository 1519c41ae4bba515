package com.speechbot.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several statements in one round trip, against a real PostgreSQL. */
class PipelineTest {

    @TempDir
    static Path dataDir;
    private static Database db;
    private static Jdbi jdbi;

    @BeforeAll
    static void start() {
        db = Database.open(null, null, null, 2, dataDir);
        jdbi = db.jdbi();
        jdbi.useHandle(h -> h.execute("CREATE TABLE pipeline_t (id BIGINT PRIMARY KEY, name TEXT, at TIMESTAMPTZ)"));
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @Test
    void resultsComeBackInStatementOrderWithArraysAndTimestamps() {
        Instant at = Instant.parse("2026-11-26T12:00:00.123Z");
        List<String> names = jdbi.inTransaction(h -> {
            Pipeline p = new Pipeline();
            p.update("INSERT INTO pipeline_t (id, name, at) SELECT id, name, ?::timestamptz"
                    + " FROM unnest(?::bigint[], ?::text[]) AS v(id, name)", at, new Long[] {1L, 2L},
                    new String[] {"one", null});
            p.update("INSERT INTO pipeline_t (id, name, at) VALUES (?, ?, ?::timestamptz)", 3L, "three", null);
            Pipeline.Rows<String> first = p.query("SELECT coalesce(name, '-') FROM pipeline_t WHERE id = ANY(?::bigint[])"
                    + " ORDER BY id", rs -> rs.getString(1), (Object) new Long[] {1L, 2L, 3L});
            Pipeline.Rows<Long> count = p.query("SELECT count(*) FROM pipeline_t WHERE at = ?::timestamptz",
                    rs -> rs.getLong(1), at);
            Pipeline.Rows<Long> nulls = p.query("SELECT count(*) FROM pipeline_t WHERE at IS NULL", rs -> rs.getLong(1));
            p.run(h.getConnection());
            assertThat(count.list()).containsExactly(2L);
            assertThat(nulls.list()).containsExactly(1L); // a null parameter binds as SQL NULL
            return first.list();
        });
        assertThat(names).containsExactly("one", "-", "three");
        Instant stored = jdbi.withHandle(h -> h.createQuery("SELECT at FROM pipeline_t WHERE id = 1")
                .mapTo(OffsetDateTime.class).one().toInstant());
        assertThat(stored).isEqualTo(at);
        jdbi.useHandle(h -> h.execute("DELETE FROM pipeline_t"));
    }

    @Test
    void aCommitInThePipelineEndsTheTransactionAndJdbisCommitAfterItIsHarmless() {
        jdbi.useTransaction(h -> {
            Pipeline p = new Pipeline();
            p.update("INSERT INTO pipeline_t (id, name) VALUES (?, ?)", 10L, "committed").commit();
            p.run(h.getConnection());
            // another connection sees it at once: the COMMIT ran in the same round trip
            assertThat(countOnOtherConnection(10)).isEqualTo(1);
        });
        assertThat(countOnOtherConnection(10)).isEqualTo(1);
        jdbi.useHandle(h -> h.execute("DELETE FROM pipeline_t"));
    }

    @Test
    void aFailingStatementSkipsTheRestIncludingTheCommitAndTheTransactionRollsBack() {
        assertThatThrownBy(() -> jdbi.useTransaction(h -> {
            Pipeline p = new Pipeline();
            p.update("INSERT INTO pipeline_t (id, name) VALUES (?, ?)", 20L, "first")
                    .update("INSERT INTO pipeline_t (id, name) VALUES (?, ?)", 20L, "duplicate key")
                    .update("INSERT INTO pipeline_t (id, name) VALUES (?, ?)", 21L, "never")
                    .commit();
            p.run(h.getConnection());
        })).isInstanceOf(Pipeline.Failed.class).hasMessageContaining("duplicate key");
        assertThat(countOnOtherConnection(20)).isZero();
        assertThat(countOnOtherConnection(21)).isZero();
        // the pooled connection is usable again afterwards
        int one = jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
        assertThat(one).isEqualTo(1);
    }

    @Test
    void anEmptyPipelineSendsNothing() {
        Pipeline p = new Pipeline();
        assertThat(p.isEmpty()).isTrue();
        jdbi.useHandle(h -> p.run(h.getConnection()));
    }

    private static int countOnOtherConnection(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM pipeline_t WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).one());
    }
}
