package com.speechbot.bench.jmh;

import com.speechbot.server.chat.ChatStore;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code mark_read} events through one chat hub into the embedded PostgreSQL (fsync on): each invocation has
 * {@value #READERS} readers mark the next message read and waits until every receipt is persisted. With
 * {@code coalesce=true} the hub writes one transaction per batch (each reader's highest seq); with {@code false}, one
 * transaction per event — the difference is what batching buys. Score: receipts persisted per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ReadReceiptBenchmark {

    static final int READERS = 20;
    private static final int MESSAGES = 20_000;

    @Param({"true", "false"})
    public boolean coalesce;

    private Path dataDir;
    private Database db;
    private LocalHub hub;
    private long chat;
    private final List<String> readers = new ArrayList<>();
    private long seq;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("speechbot-jmh-");
        db = Database.open(null, null, null, 8, dataDir);
        ServerConfig.Limits limits = new ServerConfig.Limits(32768, 16384, 10 << 20, 4, 200, 24, 50, 200);
        MessageStore store = new MessageStore(db.jdbi(), limits, "http://127.0.0.1", Clock.systemUTC());
        ChatStore chats = new ChatStore(db.jdbi());
        chat = chats.create("author", "receipts", false).row().id();
        for (int i = 0; i < READERS; i++) {
            String reader = "reader-" + i;
            readers.add(reader);
            chats.addMember("author", chat, reader);
        }
        List<SendCommand> batch = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            batch.add(SendCommand.user("author", "message " + i, "text", null, null, null, null, null));
            if (batch.size() == 1000) {
                store.insertBatch(chat, batch);
                batch.clear();
            }
        }
        ServerConfig.WebSocket ws = new ServerConfig.WebSocket(1 << 20, 256 * 1024, 1 << 20, 5_000, 8L << 20, 30, 60,
                5_000, coalesce);
        hub = new LocalHub(store, db.executor(), ws);
        hub.subscribe(chat, "author", 1); // the author's connection receives the message_status events
    }

    /** Every iteration starts from unread messages, so each receipt really changes rows. */
    @Setup(Level.Iteration)
    public void resetReceipts() {
        db.jdbi().useHandle(h -> {
            h.execute("DELETE FROM read_receipts");
            h.execute("UPDATE messages SET status = 'sent'");
        });
        seq = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        hub.close();
        db.close();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(READERS)
    public long markReadAndPersist() {
        seq = seq % MESSAGES + 1;
        for (String reader : readers) {
            hub.registry.markRead(chat, reader, seq);
        }
        hub.registry.readsFlushed(chat).join();
        return seq;
    }
}
