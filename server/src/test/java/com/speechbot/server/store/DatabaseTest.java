package com.speechbot.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @TempDir
    Path dataDir;

    @Test
    void migratesTheEmbeddedDatabaseAndKeepsDataAcrossRestarts() {
        int latest = Migrator.latestVersion();
        assertThat(latest).isGreaterThanOrEqualTo(1);
        OffsetDateTime appliedAt;
        int applied;
        try (Database db = Database.open(null, "ignored", "ignored", 2, dataDir)) {
            assertThat(db.isEmbedded()).isTrue();
            assertThat(db.schemaVersion()).isEqualTo(latest);
            assertThat(db.ping()).isTrue();
            Jdbi jdbi = db.jdbi();
            assertThat(one(jdbi, "SELECT max(version) FROM schema_migrations", Integer.class)).isEqualTo(latest);
            assertThat(one(jdbi, "SELECT name FROM schema_migrations WHERE version = 1", String.class))
                    .isEqualTo("V1__init.sql");
            for (String table : new String[] {"chats", "messages"}) {
                assertThat(one(jdbi, "SELECT to_regclass('public." + table + "') IS NOT NULL", Boolean.class))
                        .as(table).isTrue();
            }
            appliedAt = one(jdbi, "SELECT applied_at FROM schema_migrations WHERE version = 1", OffsetDateTime.class);
            applied = one(jdbi, "SELECT count(*) FROM schema_migrations", Integer.class);
            jdbi.useHandle(h -> h.execute("INSERT INTO chats (id, title, owner_id, created_at, updated_at)"
                    + " VALUES (7, 'kept', 'user_1', now(), now())"));
        }

        try (Database db = Database.open(null, null, null, 2, dataDir)) {
            assertThat(db.schemaVersion()).isEqualTo(latest);
            Jdbi jdbi = db.jdbi();
            assertThat(one(jdbi, "SELECT count(*) FROM schema_migrations", Integer.class)).isEqualTo(applied);
            assertThat(one(jdbi, "SELECT applied_at FROM schema_migrations WHERE version = 1", OffsetDateTime.class))
                    .isEqualTo(appliedAt);
            assertThat(one(jdbi, "SELECT title FROM chats WHERE id = 7", String.class)).isEqualTo("kept");
        }
    }

    @Test
    void embeddedServerIsDurableAndHasASingleOwner() {
        try (Database db = Database.open(null, null, null, 1, dataDir)) {
            // zonky's defaults (fsync off, asynchronous commit) suit throwaway test databases, not this one
            assertThat(one(db.jdbi(), "SHOW fsync", String.class)).isEqualTo("on");
            assertThat(one(db.jdbi(), "SHOW synchronous_commit", String.class)).isEqualTo("on");
            assertThatThrownBy(() -> Database.open(null, null, null, 1, dataDir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already open in this process");
            assertThat(db.ping()).isTrue();
        }
    }

    @Test
    void refusesToRunWhenAnAppliedMigrationChanged() {
        try (Database db = Database.open(null, null, null, 1, dataDir)) {
            db.jdbi().useHandle(h -> h.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"));
            assertThatThrownBy(() -> Migrator.migrate(db.dataSource()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("V1__init.sql")
                    .hasMessageContaining("changed after it was applied");
        }
    }

    @Test
    void boundedExecutorRejectsAndCloseIsIdempotent() throws Exception {
        Database db = Database.open(null, null, null, 1, dataDir);
        ExecutorService executor = db.executor();
        CountDownLatch release = new CountDownLatch(1);
        Future<String> blocker = executor.submit(() -> {
            release.await();
            return Thread.currentThread().getName();
        });
        for (int i = 0; i < 1024; i++) {
            executor.submit(() -> { });
        }
        assertThatThrownBy(() -> executor.submit(() -> { })).isInstanceOf(RejectedExecutionException.class);
        release.countDown();
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isEqualTo("db-1");

        db.close();
        db.close();
        assertThat(executor.isTerminated()).isTrue();
        assertThat(db.dataSource().isClosed()).isTrue();
        assertThat(db.ping()).isFalse();
    }

    static <T> T one(Jdbi jdbi, String sql, Class<T> type) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(type).one());
    }

    @Test
    void olderPostgresIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Migrator.requireSupported(11)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL 12 or newer is required").hasMessageContaining("version 11");
        Migrator.requireSupported(12);
        Migrator.requireSupported(17);
    }
}
