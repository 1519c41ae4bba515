package com.speechbot.bench.jmh;

import com.speechbot.server.chat.ChatStore;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommand;
import com.speechbot.server.message.SendOutcome;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The send transaction alone, on the calling thread (no event loop, no executor hop): one batch of {@code batch} user
 * messages, each with a client_message_id (as the app sends them), stored in one chat of the embedded PostgreSQL
 * (fsync on). This is the floor under the closed-loop fan-out round trip of the load tool. Score: time per batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SendTransactionBenchmark {

    @Param({"1", "16"})
    public int batch;

    private Path dataDir;
    private Database db;
    private MessageStore store;
    private long chat;
    private long counter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("speechbot-jmh-");
        db = Database.open(null, null, null, 8, dataDir);
        ServerConfig.Limits limits = new ServerConfig.Limits(32768, 16384, 10 << 20, 4, 200, 24, 50, 200);
        store = new MessageStore(db.jdbi(), limits, "http://127.0.0.1", Clock.systemUTC());
        ChatStore chats = new ChatStore(db.jdbi());
        chat = chats.create("author", "sends", false).row().id();
        for (int i = 0; i < 99; i++) {
            chats.addMember("author", chat, "member-" + i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        db.close();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public List<SendOutcome> send() {
        List<SendCommand> commands = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            long n = ++counter;
            commands.add(SendCommand.user("author", "message " + n, "text", null, null, null, null, "c" + n));
        }
        List<SendOutcome> out = store.insertBatch(chat, commands);
        if (out.get(0).kind() != SendOutcome.Kind.STORED) {
            throw new IllegalStateException("not stored: " + out.get(0));
        }
        return out;
    }
}
