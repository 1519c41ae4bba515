package com.speechbot.server.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.protocol.codec.Json;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.store.Migrator;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The message store against a real PostgreSQL: one embedded server for the class, a fresh chat per test. */
class MessageStoreTest {

    private static final ServerConfig.Limits LIMITS = new ServerConfig.Limits(1000, 512, 64, 2, 200, 24, 50, 200);
    private static final AtomicLong CHATS = new AtomicLong(1_000);

    private static EmbeddedPostgres pg;
    private static HikariDataSource ds;
    private static Jdbi jdbi;
    private static MutableClock clock;
    private static MessageStore store;
    private static SendCommandParser parser;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
        hc.setMaximumPoolSize(10);
        ds = new HikariDataSource(hc);
        assertThat(Migrator.migrate(ds)).isGreaterThanOrEqualTo(2);
        jdbi = Jdbi.create(ds).installPlugin(new SqlObjectPlugin());
        clock = new MutableClock(Instant.parse("2025-07-15T15:00:00.123456Z"));
        store = new MessageStore(jdbi, LIMITS, "https://api.example.com/", clock);
        parser = new SendCommandParser(LIMITS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ds != null) {
            ds.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ fixtures

    /** A chat owned by {@code owner} with the given other members. */
    private static long chat(String owner, String... members) {
        long id = CHATS.incrementAndGet();
        jdbi.useHandle(h -> {
            h.execute("INSERT INTO chats (id, title, owner_id, created_at, updated_at) VALUES (?, ?, ?, now(), now())",
                    id, "Chat " + id, owner);
            h.execute("INSERT INTO chat_members (chat_id, user_id, joined_at) VALUES (?, ?, now())", id, owner);
            for (String m : members) {
                h.execute("INSERT INTO chat_members (chat_id, user_id, joined_at) VALUES (?, ?, now())", id, m);
            }
        });
        return id;
    }

    private static SendCommand text(String author, String content) {
        return SendCommand.user(author, content, "text", null, null, null, List.of(), null);
    }

    private static SendCommand withClientId(String author, String content, String clientId) {
        return SendCommand.user(author, content, "text", null, null, null, List.of(), clientId);
    }

    private static SendOutcome send(long chat, SendCommand cmd) {
        return store.insertBatch(chat, List.of(cmd)).get(0);
    }

    private static MessageView sendOk(long chat, String author, String content) {
        SendOutcome o = send(chat, text(author, content));
        assertThat(o.kind()).isEqualTo(SendOutcome.Kind.STORED);
        return o.view();
    }

    private static long seqOf(MessageView v) {
        return Ids.parseMessageId(v.id()).seq();
    }

    private static JsonNode json(String text) {
        try {
            return Json.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static <T> T scalar(Class<T> type, String sql, Object... args) {
        return jdbi.withHandle(h -> h.select(sql, args).mapTo(type).one());
    }

    private static void assertApiError(ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static ApiException apiError(ThrowingCallable call) {
        try {
            call.call();
        } catch (ApiException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected ApiException, got " + t, t);
        }
        throw new AssertionError("expected ApiException");
    }

    private static MessagePage page(long chat, String user, int limit, int offset, Long before, Long after, boolean asc,
                                    String thread) {
        return store.list(chat, user, new MessageQuery(limit, offset, before, after, asc, thread));
    }

    private static List<Long> seqs(MessagePage p) {
        return p.messages().stream().map(MessageStoreTest::seqOf).toList();
    }

    // ------------------------------------------------------------------------------------------------ sending

    @Test
    void concurrentSendsGetGapFreeSeqsInOneTotalOrder() throws Exception {
        String[] users = new String[8];
        for (int i = 0; i < users.length; i++) {
            users[i] = "u" + i;
        }
        long chat = chat("owner", users);
        List<Long> seqs = new CopyOnWriteArrayList<>();
        together(users.length, 60, t -> {
            String u = users[t];
            for (int j = 0; j < 50; j++) {
                SendOutcome o = send(chat, text(u, u + " #" + j));
                assertThat(o.kind()).isEqualTo(SendOutcome.Kind.STORED);
                assertThat(o.chatUpdated().messageCount()).isEqualTo(o.seq());
                seqs.add(o.seq());
            }
        });
        List<Long> sorted = new ArrayList<>(seqs);
        Collections.sort(sorted);
        assertThat(sorted).containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
        assertThat(scalar(Long.class, "SELECT last_seq FROM chats WHERE id = ?", chat)).isEqualTo(400L);
        assertThat(store.latestSeq(chat)).isEqualTo(400);
        // each author's own messages are in the order they were sent
        List<MessageView> all = store.after(chat, 0, 1000);
        for (String u : users) {
            List<String> mine = all.stream().filter(m -> m.content().startsWith(u + " ")).map(MessageView::content).toList();
            assertThat(mine).hasSize(50);
            for (int j = 0; j < 50; j++) {
                assertThat(mine.get(j)).isEqualTo(u + " #" + j);
            }
        }
    }

    @Test
    void storedViewHasEveryFieldAndChatIsUpdated() {
        long chat = chat("alice");
        JsonNode metadata = json("{\"client_timestamp\":\"2025-07-15T14:44:28.5+02:00\",\"device_info\":{\"platform\":\"android\"}}");
        SendOutcome o = send(chat, SendCommand.user("alice", "Hello", "markdown", null, "t1", metadata, List.of(), null));
        MessageView v = o.view();
        assertThat(v.id()).isEqualTo("msg_" + chat + "_1");
        assertThat(v.chatId()).isEqualTo("chat_" + chat);
        assertThat(v.role()).isEqualTo("user");
        assertThat(v.content()).isEqualTo("Hello");
        assertThat(v.fullContent()).isEqualTo("Hello");
        assertThat(v.contentType()).isEqualTo("markdown");
        assertThat(v.status()).isEqualTo("sent");
        assertThat(v.timestamp()).isEqualTo(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        assertThat(v.timestamp().getNano() % 1_000_000).isZero();
        assertThat(v.threadId()).isEqualTo("t1");
        assertThat(v.reactions()).isEmpty();
        assertThat(v.attachments()).isEmpty();
        assertThat(v.editHistory()).isEmpty();
        assertThat(o.chatUpdated().id()).isEqualTo("chat_" + chat);
        assertThat(o.chatUpdated().messageCount()).isEqualTo(1);
        assertThat(o.chatUpdated().updatedAt()).isEqualTo(v.timestamp());

        // read back: identical, client timestamp in metadata kept as given
        MessageView read = store.get(chat, 1, "alice");
        assertThat(read).isEqualTo(v);
        assertThat(read.metadata().get("client_timestamp").asText()).isEqualTo("2025-07-15T14:44:28.5+02:00");
        String json = Json.writeString(read);
        for (String field : List.of("\"id\"", "\"chat_id\"", "\"role\"", "\"content\"", "\"full_content\"", "\"content_type\"",
                "\"timestamp\"", "\"status\"", "\"metadata\"", "\"reactions\"", "\"thread_id\"", "\"reply_to\":null",
                "\"edited_at\":null", "\"deleted_at\":null", "\"attachments\":[]", "\"edit_history\":[]")) {
            assertThat(json).contains(field);
        }
        assertThat(json).containsPattern("\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.123Z\"");
        // the chat row moved with the send
        assertThat(scalar(Long.class, "SELECT message_count FROM chats WHERE id = ?", chat)).isEqualTo(1L);
    }

    @Test
    void botMessagesKeepTheirFullContentAndStatus() {
        long chat = chat("alice");
        SendOutcome o = send(chat, SendCommand.bot("bot", "Here's", "Here's my answer", "text", null, null, null, "typing"));
        assertThat(o.view().role()).isEqualTo("bot");
        assertThat(o.view().content()).isEqualTo("Here's");
        assertThat(o.view().fullContent()).isEqualTo("Here's my answer");
        assertThat(o.view().status()).isEqualTo("typing");
        assertThat(send(chat, SendCommand.bot("bot", "Hi", null, "text", null, null, null, null)).view().status())
                .isEqualTo("delivered");
    }

    @Test
    void batchHasPerItemOutcomesInOneTransaction() {
        long other = chat("zed");
        sendOk(other, "zed", "elsewhere");
        long chat = chat("alice", "bob");
        List<SendCommand> batch = List.of(
                text("alice", "first"),                                                         // 0 stored seq 1
                text("mallory", "not a member"),                                                // 1 failed
                SendCommand.user("bob", "reply to in-batch", "text", "msg_" + chat + "_1", null, null, List.of(), null), // 2 seq 2
                SendCommand.user("bob", "bad reply", "text", "msg_" + chat + "_99", null, null, List.of(), null), // 3 failed
                SendCommand.user("bob", "foreign reply", "text", "msg_" + other + "_1", null, null, List.of(), null), // 4 failed
                withClientId("alice", "idempotent", "c-1"),                                     // 5 seq 3
                withClientId("alice", "idempotent", "c-1"),                                     // 6 existing of 5
                withClientId("alice", "changed", "c-1"),                                        // 7 conflict
                withClientId("bob", "idempotent", "c-1"),                                       // 8 seq 4 (other author)
                SendCommand.bot("bot", "bot says", null, "text", null, null, null, null));       // 9 seq 5
        List<SendOutcome> out = store.insertBatch(chat, batch);
        assertThat(out).extracting(SendOutcome::kind).containsExactly(
                SendOutcome.Kind.STORED, SendOutcome.Kind.FAILED, SendOutcome.Kind.STORED, SendOutcome.Kind.FAILED,
                SendOutcome.Kind.FAILED, SendOutcome.Kind.STORED, SendOutcome.Kind.EXISTING, SendOutcome.Kind.FAILED,
                SendOutcome.Kind.STORED, SendOutcome.Kind.STORED);
        assertThat(out.get(0).seq()).isEqualTo(1);
        assertThat(out.get(2).seq()).isEqualTo(2);
        assertThat(out.get(2).view().replyTo()).isEqualTo("msg_" + chat + "_1");
        assertThat(out.get(5).seq()).isEqualTo(3);
        assertThat(out.get(6).view().id()).isEqualTo(out.get(5).view().id());
        assertThat(out.get(8).seq()).isEqualTo(4);
        assertThat(out.get(9).seq()).isEqualTo(5);
        assertThat(out.get(1).error().code()).isEqualTo(ErrorCode.CHAT_NOT_FOUND);
        assertThat(out.get(3).error().code()).isEqualTo(ErrorCode.INVALID_REPLY_TO);
        assertThat(out.get(4).error().code()).isEqualTo(ErrorCode.INVALID_REPLY_TO);
        assertThat(out.get(7).error().code()).isEqualTo(ErrorCode.CLIENT_MESSAGE_ID_CONFLICT);
        assertThat(out.get(9).chatUpdated().messageCount()).isEqualTo(5);
        assertThat(store.latestSeq(chat)).isEqualTo(5);
        assertThat(store.after(chat, 0, 100)).extracting(MessageView::content)
                .containsExactly("first", "reply to in-batch", "idempotent", "idempotent", "bot says");
        // one bot answer per user message: a repeat (in a later batch or the same one) is the stored answer
        String userMsg = "msg_" + chat + "_1";
        List<SendOutcome> answers = store.insertBatch(chat, List.of(
                SendCommand.bot("bot", "answer", null, "text", userMsg, null, null, null),
                SendCommand.bot("bot", "answer again", null, "text", userMsg, null, null, null)));
        assertThat(answers).extracting(SendOutcome::kind).containsExactly(SendOutcome.Kind.STORED, SendOutcome.Kind.EXISTING);
        assertThat(answers.get(1).seq()).isEqualTo(answers.get(0).seq()).isEqualTo(6);
        SendOutcome later = send(chat, SendCommand.bot("bot", "third", null, "text", userMsg, null, null, null));
        assertThat(later.kind()).isEqualTo(SendOutcome.Kind.EXISTING);
        assertThat(later.view().content()).isEqualTo("answer");
        assertThat(store.latestSeq(chat)).isEqualTo(6);
        // a batch for a missing chat fails item by item
        assertThat(store.insertBatch(999_999_999L, List.of(text("alice", "x")))).extracting(o -> o.error().code())
                .containsExactly(ErrorCode.CHAT_NOT_FOUND);
    }

    @Test
    void clientMessageIdMakesRetriesIdempotent() {
        long chat = chat("alice", "bob");
        SendOutcome first = send(chat, withClientId("alice", "hello", "tmp-1"));
        assertThat(first.kind()).isEqualTo(SendOutcome.Kind.STORED);
        assertThat(first.view().clientMessageId()).isEqualTo("tmp-1");
        store.react(chat, first.seq(), "bob", "👍", "add");

        SendOutcome retry = send(chat, withClientId("alice", "hello", "tmp-1"));
        assertThat(retry.kind()).isEqualTo(SendOutcome.Kind.EXISTING);
        assertThat(retry.view().id()).isEqualTo(first.view().id());
        assertThat(retry.view().reactions()).extracting(r -> r.emoji()).containsExactly("👍");
        assertThat(retry.chatUpdated().messageCount()).isEqualTo(1);
        assertThat(store.latestSeq(chat)).isEqualTo(1);

        SendOutcome conflict = send(chat, withClientId("alice", "hello, edited", "tmp-1"));
        assertThat(conflict.kind()).isEqualTo(SendOutcome.Kind.FAILED);
        assertThat(conflict.error().code()).isEqualTo(ErrorCode.CLIENT_MESSAGE_ID_CONFLICT);
        SendOutcome otherThread = send(chat, SendCommand.user("alice", "hello", "text", null, "t", null, List.of(), "tmp-1"));
        assertThat(otherThread.kind()).isEqualTo(SendOutcome.Kind.FAILED);

        // same id by another author is another message
        assertThat(send(chat, withClientId("bob", "hello", "tmp-1")).kind()).isEqualTo(SendOutcome.Kind.STORED);
        assertThat(scalar(Long.class, "SELECT count(*) FROM messages WHERE chat_id = ?", chat)).isEqualTo(2L);
    }

    @Test
    void attachmentsAreStoredWithTheMessageAndServedToMembersOnly() {
        long chat = chat("alice", "bob");
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        SendCommand cmd = parser.parse(json("{\"content\":\"data\",\"attachments\":[{\"filename\":\"data.csv\","
                + "\"content_type\":\"text/csv\",\"size\":" + csv.length + ",\"data\":\""
                + Base64.getEncoder().encodeToString(csv) + "\"}]}"), "alice");
        MessageView v = send(chat, cmd).view();
        assertThat(v.attachments()).hasSize(1);
        var a = v.attachments().get(0);
        assertThat(a.id()).matches("att_\\d+");
        assertThat(a.filename()).isEqualTo("data.csv");
        assertThat(a.contentType()).isEqualTo("text/csv");
        assertThat(a.size()).isEqualTo(csv.length);
        assertThat(a.url()).isEqualTo("https://api.example.com/v1/attachments/" + a.id());
        assertThat(a.thumbnailUrl()).isNull();
        assertThat(store.get(chat, seqOf(v), "bob").attachments()).containsExactly(a);

        AttachmentContent content = store.attachment(a.id(), "bob");
        assertThat(content.data()).isEqualTo(csv);
        assertThat(content.contentType()).isEqualTo("text/csv");
        assertThat(content.filename()).isEqualTo("data.csv");
        assertApiError(() -> store.attachment(a.id(), "mallory"), ErrorCode.ATTACHMENT_NOT_FOUND);
        assertApiError(() -> store.attachment("att_1", "bob"), ErrorCode.ATTACHMENT_NOT_FOUND);
        assertApiError(() -> store.attachment("../etc", "bob"), ErrorCode.ATTACHMENT_NOT_FOUND);

        // deleted for everyone: neither listed nor served; hard delete cascades
        store.delete(chat, seqOf(v), "alice", false, "everyone");
        assertThat(store.get(chat, seqOf(v), "bob").attachments()).isEmpty();
        assertApiError(() -> store.attachment(a.id(), "bob"), ErrorCode.ATTACHMENT_NOT_FOUND);
        store.restore(chat, seqOf(v), "alice");
        assertThat(store.attachment(a.id(), "bob").data()).isEqualTo(csv);
        store.delete(chat, seqOf(v), "alice", true, "everyone");
        assertThat(scalar(Long.class, "SELECT count(*) FROM attachments WHERE id = ?", a.id())).isZero();
    }

    // ------------------------------------------------------------------------------------------------ group commit

    @Test
    void insertBatchesDecidesEveryChatLikeItsOwnBatch() {
        long a = chat("alice", "bob");
        long b = chat("carol");
        long c = chat("dave");
        long d = chat("erin");
        long missing = 999_999_990L;
        long empty = chat("frank");
        SendOutcome earlier = send(a, withClientId("alice", "hello", "c-1"));                            // a seq 1
        sendOk(b, "carol", "b one");                                                                     // b seq 1
        SendOutcome erinsFirst = send(d, withClientId("erin", "hi", "e-1"));                             // d seq 1
        Instant before = erinsFirst.chatUpdated().updatedAt();
        String aFirst = "msg_" + a + "_1";
        String bFirst = "msg_" + b + "_1";
        clock.advance(Duration.ofSeconds(7));
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);

        Map<Long, List<SendCommand>> byChat = new LinkedHashMap<>(); // deliberately not in id order
        byChat.put(d, List.of(withClientId("erin", "hi", "e-1")));                                     // existing only
        byChat.put(c, List.of(
                withClientId("dave", "hello", "c-1"),                                                    // 0 c seq 1
                SendCommand.bot("bot", "beep", null, "text", null, null, null, null)));                  // 1 c seq 2
        byChat.put(missing, List.of(text("alice", "nowhere"), withClientId("alice", "hello", "c-1")));
        byChat.put(empty, List.of());
        byChat.put(a, List.of(
                text("alice", "a two"),                                                                  // 0 a seq 2
                withClientId("alice", "hello", "c-1"),                                                   // 1 existing seq 1
                withClientId("alice", "changed", "c-1"),                                                 // 2 conflict
                text("mallory", "not a member"),                                                         // 3 not found
                SendCommand.user("bob", "cross", "text", bFirst, null, null, List.of(), null),           // 4 bad reply
                SendCommand.user("bob", "reply", "text", aFirst, null, null, List.of(), null),           // 5 a seq 3
                SendCommand.bot("bot", "answer", null, "text", aFirst, null, null, null),                // 6 a seq 4
                SendCommand.bot("bot", "answer again", null, "text", aFirst, null, null, null),          // 7 = 6
                SendCommand.user("bob", "to in-batch", "text", "msg_" + a + "_3", null, null, List.of(), "b-1"), // 8 seq 5
                SendCommand.user("bob", "to in-batch", "text", "msg_" + a + "_3", null, null, List.of(), "b-1"))); // 9 = 8
        byChat.put(b, List.of(
                SendCommand.user("carol", "cross", "text", aFirst, null, null, List.of(), null),         // 0 bad reply
                SendCommand.user("carol", "reply", "text", bFirst, null, null, List.of(), null),         // 1 b seq 2
                text("alice", "not a member here"),                                                      // 2 not found
                withClientId("alice", "hello", "c-1")));                                                 // 3 not found
        Map<Long, List<SendOutcome>> out = store.insertBatches(byChat);

        assertThat(out.keySet()).containsExactlyInAnyOrder(a, b, c, d, missing, empty);
        assertThat(out.get(empty)).isEmpty();
        assertThat(out.get(missing)).extracting(o -> o.error().code())
                .containsExactly(ErrorCode.CHAT_NOT_FOUND, ErrorCode.CHAT_NOT_FOUND);

        List<SendOutcome> inA = out.get(a);
        assertThat(inA).extracting(SendOutcome::kind).containsExactly(
                SendOutcome.Kind.STORED, SendOutcome.Kind.EXISTING, SendOutcome.Kind.FAILED, SendOutcome.Kind.FAILED,
                SendOutcome.Kind.FAILED, SendOutcome.Kind.STORED, SendOutcome.Kind.STORED, SendOutcome.Kind.EXISTING,
                SendOutcome.Kind.STORED, SendOutcome.Kind.EXISTING);
        assertThat(inA).extracting(SendOutcome::seq).containsExactly(2L, 1L, 0L, 0L, 0L, 3L, 4L, 4L, 5L, 5L);
        assertThat(inA.get(1).view().id()).isEqualTo(earlier.view().id());
        assertThat(inA.get(1).chatUpdated().messageCount()).isEqualTo(5); // the chat after this transaction
        assertThat(inA.get(1).chatUpdated().updatedAt()).isEqualTo(now);
        assertThat(inA.get(2).error().code()).isEqualTo(ErrorCode.CLIENT_MESSAGE_ID_CONFLICT);
        assertThat(inA.get(3).error().code()).isEqualTo(ErrorCode.CHAT_NOT_FOUND);
        assertThat(inA.get(4).error().code()).isEqualTo(ErrorCode.INVALID_REPLY_TO);
        assertThat(inA.get(7).view().content()).isEqualTo("answer");
        assertThat(inA.get(9).view().id()).isEqualTo(inA.get(8).view().id());
        assertThat(inA.get(8).chatUpdated().messageCount()).isEqualTo(5);

        List<SendOutcome> inB = out.get(b);
        assertThat(inB).extracting(SendOutcome::kind).containsExactly(
                SendOutcome.Kind.FAILED, SendOutcome.Kind.STORED, SendOutcome.Kind.FAILED, SendOutcome.Kind.FAILED);
        assertThat(inB.get(0).error().code()).isEqualTo(ErrorCode.INVALID_REPLY_TO);
        assertThat(inB.get(1).seq()).isEqualTo(2);
        assertThat(inB.get(2).error().code()).isEqualTo(ErrorCode.CHAT_NOT_FOUND);
        assertThat(inB.get(3).error().code()).isEqualTo(ErrorCode.CHAT_NOT_FOUND);

        List<SendOutcome> inC = out.get(c);
        assertThat(inC).extracting(SendOutcome::kind).containsExactly(SendOutcome.Kind.STORED, SendOutcome.Kind.STORED);
        assertThat(inC).extracting(SendOutcome::seq).containsExactly(1L, 2L);
        assertThat(inC.get(1).chatUpdated().messageCount()).isEqualTo(2);

        // a chat that stores nothing is not bumped and reports its row as it was
        SendOutcome retry = out.get(d).get(0);
        assertThat(retry.kind()).isEqualTo(SendOutcome.Kind.EXISTING);
        assertThat(retry.view()).isEqualTo(erinsFirst.view());
        assertThat(retry.chatUpdated().messageCount()).isEqualTo(1);
        assertThat(retry.chatUpdated().updatedAt()).isEqualTo(before);

        // the rows: gap-free seqs per chat, counters and updated_at moved only where something was stored
        assertThat(store.after(a, 0, 100)).extracting(MessageView::content)
                .containsExactly("hello", "a two", "reply", "answer", "to in-batch");
        assertThat(store.after(b, 0, 100)).extracting(MessageView::content).containsExactly("b one", "reply");
        assertThat(store.after(c, 0, 100)).extracting(MessageView::content).containsExactly("hello", "beep");
        for (long[] expected : new long[][] {{a, 5}, {b, 2}, {c, 2}, {d, 1}, {empty, 0}}) {
            assertThat(scalar(String.class, "SELECT last_seq || '/' || message_count FROM chats WHERE id = ?", expected[0]))
                    .isEqualTo(expected[1] + "/" + expected[1]);
        }
        assertThat(scalar(Instant.class, "SELECT updated_at FROM chats WHERE id = ?", c)).isEqualTo(now);
        assertThat(scalar(Instant.class, "SELECT updated_at FROM chats WHERE id = ?", d)).isEqualTo(before);
        // one bot answer per user message holds across transactions too
        SendOutcome third = store.insertBatches(Map.of(a, List.of(
                SendCommand.bot("bot", "third", null, "text", aFirst, null, null, null)))).get(a).get(0);
        assertThat(third.kind()).isEqualTo(SendOutcome.Kind.EXISTING);
        assertThat(third.seq()).isEqualTo(4);
    }

    @Test
    void concurrentInsertBatchesOverOverlappingChatsKeepSeqsGapFreeAndDoNotDeadlock() throws Exception {
        int threads = 8;
        int rounds = 30;
        String[] users = new String[threads];
        for (int t = 0; t < threads; t++) {
            users[t] = "u" + t;
        }
        long[] chats = new long[6];
        for (int i = 0; i < chats.length; i++) {
            chats[i] = chat("owner", users);
        }
        Map<Long, List<Long>> seqsByChat = new ConcurrentHashMap<>();
        Map<Long, AtomicLong> sentByChat = new ConcurrentHashMap<>();
        together(threads, 120, t -> {
            String u = users[t];
            Random random = new Random(42 + t);
            for (int r = 0; r < rounds; r++) {
                // a random subset of the chats, in random order: the store must lock them in id order
                List<Long> picked = new ArrayList<>(LongStream.of(chats).boxed().toList());
                Collections.shuffle(picked, random);
                Map<Long, List<SendCommand>> byChat = new LinkedHashMap<>();
                for (long chat : picked.subList(0, 2 + random.nextInt(chats.length - 1))) {
                    List<SendCommand> commands = new ArrayList<>();
                    for (int k = 0, n = 1 + random.nextInt(3); k < n; k++) {
                        commands.add(withClientId(u, u + " " + r + "." + k, u + "-" + r + "-" + k));
                    }
                    byChat.put(chat, commands);
                }
                Map<Long, List<SendOutcome>> out = store.insertBatches(byChat);
                for (Map.Entry<Long, List<SendCommand>> e : byChat.entrySet()) {
                    List<SendOutcome> outcomes = out.get(e.getKey());
                    assertThat(outcomes).hasSize(e.getValue().size())
                            .allSatisfy(o -> assertThat(o.kind()).isEqualTo(SendOutcome.Kind.STORED));
                    for (int k = 0; k < outcomes.size(); k++) {
                        SendOutcome o = outcomes.get(k);
                        assertThat(o.seq()).isEqualTo(outcomes.get(0).seq() + k); // consecutive in the batch
                        assertThat(o.chatUpdated().messageCount()).isEqualTo(o.seq());
                        seqsByChat.computeIfAbsent(e.getKey(), x -> new CopyOnWriteArrayList<>()).add(o.seq());
                    }
                    sentByChat.computeIfAbsent(e.getKey(), x -> new AtomicLong()).addAndGet(outcomes.size());
                }
            }
        });
        for (long chat : chats) {
            long total = sentByChat.get(chat).get();
            List<Long> sorted = new ArrayList<>(seqsByChat.get(chat));
            Collections.sort(sorted);
            assertThat(sorted).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
            assertThat(scalar(Long.class, "SELECT last_seq FROM chats WHERE id = ?", chat)).isEqualTo(total);
            assertThat(scalar(Long.class, "SELECT message_count FROM chats WHERE id = ?", chat)).isEqualTo(total);
            // each author's messages in this chat are in the order that author sent them
            List<MessageView> all = store.after(chat, 0, 10_000);
            assertThat(all).hasSize((int) total);
            for (String u : users) {
                List<String> mine = all.stream().map(MessageView::content).filter(m -> m.startsWith(u + " ")).toList();
                List<String> inOrder = new ArrayList<>(mine);
                inOrder.sort(Comparator.comparingInt((String m) -> Integer.parseInt(m.split("[ .]")[1]))
                        .thenComparingInt(m -> Integer.parseInt(m.split("[ .]")[2])));
                assertThat(mine).containsExactlyElementsOf(inOrder);
            }
        }
    }

    @Test
    void insertBatchesStoresTheAttachmentsOfEveryChat() {
        long a = chat("alice", "bob");
        long b = chat("carol");
        byte[] first = "one".getBytes(StandardCharsets.UTF_8);
        byte[] second = "two!".getBytes(StandardCharsets.UTF_8);
        byte[] third = "three".getBytes(StandardCharsets.UTF_8);
        SendCommand two = parser.parse(json("{\"content\":\"two files\",\"attachments\":[" + attachmentJson("a.txt", first)
                + "," + attachmentJson("b.txt", second) + "]}"), "alice");
        SendCommand one = parser.parse(json("{\"content\":\"one file\",\"attachments\":[" + attachmentJson("c.txt", third)
                + "]}"), "carol");
        Map<Long, List<SendCommand>> byChat = new LinkedHashMap<>();
        byChat.put(b, List.of(one));
        byChat.put(a, List.of(text("alice", "plain"), two));
        Map<Long, List<SendOutcome>> out = store.insertBatches(byChat);

        MessageView inA = out.get(a).get(1).view();
        assertThat(out.get(a).get(0).view().attachments()).isEmpty();
        assertThat(inA.id()).isEqualTo("msg_" + a + "_2");
        assertThat(inA.attachments()).extracting(x -> x.filename()).containsExactly("a.txt", "b.txt");
        assertThat(store.get(a, 2, "bob").attachments()).containsExactlyElementsOf(inA.attachments());
        assertThat(store.attachment(inA.attachments().get(0).id(), "bob").data()).isEqualTo(first);
        assertThat(store.attachment(inA.attachments().get(1).id(), "bob").data()).isEqualTo(second);

        MessageView inB = out.get(b).get(0).view();
        assertThat(inB.id()).isEqualTo("msg_" + b + "_1");
        assertThat(inB.attachments()).hasSize(1);
        assertThat(store.get(b, 1, "carol").attachments()).containsExactlyElementsOf(inB.attachments());
        String carolsFile = inB.attachments().get(0).id();
        assertThat(store.attachment(carolsFile, "carol").data()).isEqualTo(third);
        assertApiError(() -> store.attachment(carolsFile, "bob"), ErrorCode.ATTACHMENT_NOT_FOUND);
        assertThat(scalar(Long.class, "SELECT count(*) FROM attachments WHERE chat_id = ?", a)).isEqualTo(2L);
        assertThat(scalar(Long.class, "SELECT count(*) FROM attachments WHERE chat_id = ?", b)).isEqualTo(1L);
        assertThat(scalar(String.class, "SELECT string_agg(seq || ':' || position || ':' || filename, ',' ORDER BY position)"
                + " FROM attachments WHERE chat_id = ?", a)).isEqualTo("2:0:a.txt,2:1:b.txt");
    }

    private static String attachmentJson(String filename, byte[] data) {
        return "{\"filename\":\"" + filename + "\",\"content_type\":\"text/plain\",\"size\":" + data.length + ",\"data\":\""
                + Base64.getEncoder().encodeToString(data) + "\"}";
    }

    // ------------------------------------------------------------------------------------------------ parsing

    @Test
    void parserValidatesContentLikeTheSpec() {
        ApiException empty = apiError(() -> parser.parse(json("{\"content\":\"   \"}"), "u"));
        assertThat(empty.code()).isEqualTo(ErrorCode.INVALID_MESSAGE_CONTENT);
        assertThat(empty.getMessage()).isEqualTo("Message content cannot be empty");
        assertThat(Json.writeString(empty.details())).isEqualTo("{\"content\":[\"Content is required\"]}");
        assertApiError(() -> parser.parse(json("{}"), "u"), ErrorCode.INVALID_MESSAGE_CONTENT);
        assertApiError(() -> parser.parse(json("{\"content\":5}"), "u"), ErrorCode.INVALID_MESSAGE_CONTENT);

        ApiException big = apiError(() -> parser.parse(json("{\"content\":\"" + "é".repeat(501) + "\"}"), "u"));
        assertThat(big.code()).isEqualTo(ErrorCode.INVALID_MESSAGE_CONTENT);
        assertThat(((Map<?, ?>) big.details()).get("max_bytes")).isEqualTo(1000);
        assertThat(parser.parse(json("{\"content\":\"" + "é".repeat(500) + "\"}"), "u").content()).hasSize(500);

        assertThat(parser.parse(json("{\"content\":\" x \"}"), "u").content()).isEqualTo(" x ");
        assertThat(parser.parse(json("{\"content\":\"x\"}"), "u").contentType()).isEqualTo("text");
        assertThat(parser.parse(json("{\"content\":\"x\",\"content_type\":\"code\"}"), "u").contentType()).isEqualTo("code");
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"content_type\":\"html\"}"), "u"),
                ErrorCode.INVALID_CONTENT_TYPE);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"reply_to\":\"nope\"}"), "u"), ErrorCode.INVALID_REPLY_TO);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"metadata\":[1]}"), "u"), ErrorCode.INVALID_METADATA);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"metadata\":{\"k\":\"" + "a".repeat(600) + "\"}}"), "u"),
                ErrorCode.INVALID_METADATA);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"metadata\":{\"k\":\"a\\u0000\"}}"), "u"),
                ErrorCode.INVALID_METADATA);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"thread_id\":\"" + "t".repeat(201) + "\"}"), "u"),
                ErrorCode.VALIDATION_ERROR);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"client_message_id\":\"" + "c".repeat(201) + "\"}"), "u"),
                ErrorCode.VALIDATION_ERROR);
        SendCommand ok = parser.parse(json("{\"content\":\"x\",\"metadata\":null,\"thread_id\":\"t\",\"client_message_id\":\"c\"}"), "u");
        assertThat(ok.metadata()).isNull();
        assertThat(ok.threadId()).isEqualTo("t");
        assertThat(ok.clientMessageId()).isEqualTo("c");
        assertThat(ok.role()).isEqualTo("user");
    }

    @Test
    void parserChecksAttachmentSizes() {
        String ten = Base64.getEncoder().encodeToString(new byte[10]);
        String att = "{\"filename\":\"f.bin\",\"content_type\":\"application/octet-stream\",\"size\":10,\"data\":\"" + ten + "\"}";
        assertThat(parser.parse(json("{\"content\":\"x\",\"attachments\":[" + att + "," + att + "]}"), "u").attachments())
                .hasSize(2);
        ApiException tooMany = apiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[" + att + "," + att + ","
                + att + "]}"), "u"));
        assertThat(tooMany.code()).isEqualTo(ErrorCode.INVALID_ATTACHMENT);

        // declared too large: refused before decoding (data is not even base64)
        ApiException declared = apiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"size\":1000000,\"data\":\"!!!\"}]}"), "u"));
        assertThat(declared.code()).isEqualTo(ErrorCode.ATTACHMENT_TOO_LARGE);
        assertThat(Json.writeString(declared.details())).isEqualTo("{\"max_size\":64,\"provided_size\":1000000}");
        // declared small, actually too large
        String big = Base64.getEncoder().encodeToString(new byte[100]);
        ApiException actual = apiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"size\":10,\"data\":\"" + big + "\"}]}"), "u"));
        assertThat(actual.code()).isEqualTo(ErrorCode.ATTACHMENT_TOO_LARGE);
        assertThat(((Map<?, ?>) actual.details()).get("provided_size")).isEqualTo(100L);
        // mismatch
        ApiException mismatch = apiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"size\":11,\"data\":\"" + ten + "\"}]}"), "u"));
        assertThat(mismatch.code()).isEqualTo(ErrorCode.INVALID_ATTACHMENT);
        assertThat(Json.writeString(mismatch.details())).contains("\"declared_size\":11,\"actual_size\":10");
        // invalid base64, missing fields
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"size\":3,\"data\":\"@@@@\"}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"content_type\":\"a/b\",\"size\":10,"
                + "\"data\":\"" + ten + "\"}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\",\"size\":10,"
                + "\"data\":\"" + ten + "\"}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"data\":\"" + ten + "\"}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"f\","
                + "\"content_type\":\"a/b\",\"size\":10}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":[{\"filename\":\"" + "f".repeat(256)
                + "\",\"content_type\":\"a/b\",\"size\":10,\"data\":\"" + ten + "\"}]}"), "u"), ErrorCode.INVALID_ATTACHMENT);
        assertApiError(() -> parser.parse(json("{\"content\":\"x\",\"attachments\":{}}"), "u"), ErrorCode.INVALID_ATTACHMENT);
    }

    @Test
    void reactionEmojiMustBeAnEmoji() {
        for (String ok : List.of("👍", "❤️", "🇺🇸", "👩‍💻", "👍🏽", "1️⃣", "☕", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "✅", "©")) {
            assertThat(Reactions.isEmoji(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("", " ", "abc", "a👍", "1", "👍 ", "<script>", "\u200D", "👍".repeat(17))) {
            assertThat(Reactions.isEmoji(bad)).as(bad).isFalse();
        }
        assertApiError(() -> Reactions.parse(json("{\"emoji\":\"abc\"}")), ErrorCode.INVALID_REACTION);
        assertApiError(() -> Reactions.parse(json("{\"emoji\":\"👍\",\"action\":\"toggle\"}")), ErrorCode.INVALID_REACTION);
        assertThat(Reactions.parse(json("{\"emoji\":\"👍\"}")).action()).isEqualTo("add");
    }

    // ------------------------------------------------------------------------------------------------ listing

    @Test
    void paginationWithCursorsOffsetsOrderAndThreads() {
        long chat = chat("alice", "bob");
        for (int i = 1; i <= 10; i++) {
            String thread = i % 3 == 0 ? "t" : null; // 3, 6, 9
            assertThat(send(chat, SendCommand.user("alice", "m" + i, "text", null, thread, null, List.of(), null)).seq())
                    .isEqualTo(i);
        }
        MessagePage p = page(chat, "bob", 3, 0, null, null, false, null);
        assertThat(seqs(p)).containsExactly(10L, 9L, 8L);
        assertThat(p.pagination().totalMessages()).isEqualTo(10);
        assertThat(p.pagination().returnedMessages()).isEqualTo(3);
        assertThat(p.pagination().hasMore()).isTrue();
        assertThat(p.pagination().nextOffset()).isEqualTo(3);
        assertThat(p.pagination().previousOffset()).isNull();
        assertThat(p.chatInfo().id()).isEqualTo("chat_" + chat);
        assertThat(p.chatInfo().title()).isEqualTo("Chat " + chat);
        assertThat(p.chatInfo().updatedAt()).isNotNull();

        p = page(chat, "bob", 3, 3, null, null, false, null);
        assertThat(seqs(p)).containsExactly(7L, 6L, 5L);
        assertThat(p.pagination().previousOffset()).isEqualTo(0);
        assertThat(p.pagination().nextOffset()).isEqualTo(6);

        p = page(chat, "bob", 3, 9, null, null, false, null);
        assertThat(seqs(p)).containsExactly(1L);
        assertThat(p.pagination().hasMore()).isFalse();
        assertThat(p.pagination().nextOffset()).isNull();
        assertThat(p.pagination().previousOffset()).isEqualTo(6);

        p = page(chat, "bob", 3, 10, null, null, false, null);
        assertThat(p.messages()).isEmpty();
        assertThat(p.pagination().hasMore()).isFalse();
        assertThat(p.pagination().previousOffset()).isEqualTo(7);

        p = page(chat, "bob", 200, 0, null, null, true, null);
        assertThat(seqs(p)).containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
        assertThat(p.pagination().hasMore()).isFalse();

        p = page(chat, "bob", 3, 0, 5L, null, false, null);
        assertThat(seqs(p)).containsExactly(4L, 3L, 2L);
        assertThat(p.pagination().totalMessages()).isEqualTo(4);
        assertThat(p.pagination().hasMore()).isTrue();

        p = page(chat, "bob", 50, 0, null, 7L, true, null);
        assertThat(seqs(p)).containsExactly(8L, 9L, 10L);
        assertThat(p.pagination().totalMessages()).isEqualTo(3);

        p = page(chat, "bob", 50, 0, 9L, 2L, true, null);
        assertThat(seqs(p)).containsExactly(3L, 4L, 5L, 6L, 7L, 8L);

        p = page(chat, "bob", 2, 0, null, null, false, "t");
        assertThat(seqs(p)).containsExactly(9L, 6L);
        assertThat(p.pagination().totalMessages()).isEqualTo(3);
        assertThat(p.pagination().hasMore()).isTrue();
        assertThat(page(chat, "bob", 50, 0, null, null, false, "nope").messages()).isEmpty();

        // bob hides 10 for himself: gone from his pages and total, not from alice's; 9 deleted for everyone is a tombstone
        store.delete(chat, 10, "bob", false, "me");
        store.delete(chat, 9, "alice", false, "everyone");
        p = page(chat, "bob", 3, 0, null, null, false, null);
        assertThat(seqs(p)).containsExactly(9L, 8L, 7L);
        assertThat(p.pagination().totalMessages()).isEqualTo(9);
        assertThat(p.messages().get(0).content()).isEmpty();
        assertThat(p.messages().get(0).fullContent()).isEmpty();
        assertThat(p.messages().get(0).deletedAt()).isNotNull();
        assertThat(page(chat, "alice", 3, 0, null, null, false, null).pagination().totalMessages()).isEqualTo(10);

        assertApiError(() -> page(chat, "mallory", 3, 0, null, null, false, null), ErrorCode.CHAT_NOT_FOUND);
        assertApiError(() -> page(999_999_998L, "alice", 3, 0, null, null, false, null), ErrorCode.CHAT_NOT_FOUND);
        assertThatThrownBy(() -> new MessageQuery(0, 0, null, null, true, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pageLoadsReactionsAndAttachmentsForEveryMessage() {
        long chat = chat("alice", "bob");
        String one = Base64.getEncoder().encodeToString(new byte[] {1});
        for (int i = 0; i < 3; i++) {
            send(chat, parser.parse(json("{\"content\":\"m" + i + "\",\"attachments\":[{\"filename\":\"f" + i + "\","
                    + "\"content_type\":\"a/b\",\"size\":1,\"data\":\"" + one + "\"}]}"), "alice"));
        }
        store.react(chat, 1, "bob", "👍", "add");
        clock.advance(Duration.ofSeconds(1));
        store.react(chat, 1, "alice", "🎉", "add");
        store.react(chat, 3, "bob", "🎉", "add");
        MessagePage p = page(chat, "alice", 10, 0, null, null, true, null);
        assertThat(p.messages().get(0).reactions()).extracting(r -> r.emoji() + "/" + r.userId())
                .containsExactly("👍/bob", "🎉/alice");
        assertThat(p.messages().get(1).reactions()).isEmpty();
        assertThat(p.messages().get(2).reactions()).extracting(r -> r.emoji()).containsExactly("🎉");
        assertThat(p.messages()).allSatisfy(m -> assertThat(m.attachments()).hasSize(1));
        assertThat(p.messages().get(2).attachments().get(0).filename()).isEqualTo("f2");
    }

    // ------------------------------------------------------------------------------------------------ editing

    @Test
    void editRules() {
        long chat = chat("alice", "bob");
        JsonNode meta = json("{\"client_timestamp\":\"x\",\"device_info\":{\"platform\":\"android\"}}");
        MessageView original = send(chat, SendCommand.user("alice", "Helo", "text", null, null, meta, List.of(), null)).view();
        long seq = seqOf(original);
        clock.advance(Duration.ofMinutes(5));
        MessageView edited = store.edit(chat, seq, "alice",
                parser.parseEdit(json("{\"content\":\"Hello\",\"metadata\":{\"edit_reason\":\"Fixed typo\",\"client_timestamp\":\"y\"}}")));
        assertThat(edited.content()).isEqualTo("Hello");
        assertThat(edited.fullContent()).isEqualTo("Hello");
        assertThat(edited.status()).isEqualTo("edited");
        assertThat(edited.editedAt()).isEqualTo(original.timestamp().plus(Duration.ofMinutes(5)));
        assertThat(edited.timestamp()).isEqualTo(original.timestamp());
        assertThat(edited.editHistory()).hasSize(1);
        assertThat(edited.editHistory().get(0).content()).isEqualTo("Helo");
        assertThat(edited.editHistory().get(0).editReason()).isEqualTo("Fixed typo");
        assertThat(edited.editHistory().get(0).editedAt()).isEqualTo(edited.editedAt());
        assertThat(edited.metadata().get("client_timestamp").asText()).isEqualTo("y");
        assertThat(edited.metadata().get("device_info").get("platform").asText()).isEqualTo("android");
        assertThat(edited.metadata().has("edit_reason")).isFalse();
        assertThat(store.get(chat, seq, "bob")).isEqualTo(edited);

        MessageView again = store.edit(chat, seq, "alice", parser.parseEdit(json("{\"content\":\"Hello!\"}")));
        assertThat(again.editHistory()).extracting(e -> e.content()).containsExactly("Helo", "Hello");
        assertThat(again.editHistory().get(1).editReason()).isNull();

        ApiException notAuthor = apiError(() -> store.edit(chat, seq, "bob", new EditRequest("x", null, null)));
        assertThat(notAuthor.code()).isEqualTo(ErrorCode.EDIT_NOT_ALLOWED);
        assertThat(notAuthor.getMessage()).isEqualTo("Only the author can edit this message");

        long botSeq = send(chat, SendCommand.bot("bot", "beep", null, "text", null, null, null, null)).seq();
        ApiException bot = apiError(() -> store.edit(chat, botSeq, "alice", new EditRequest("x", null, null)));
        assertThat(bot.code()).isEqualTo(ErrorCode.EDIT_NOT_ALLOWED);
        assertThat(bot.getMessage()).isEqualTo("Bot messages cannot be edited");

        assertApiError(() -> store.edit(chat, 999, "alice", new EditRequest("x", null, null)), ErrorCode.MESSAGE_NOT_FOUND);
        assertApiError(() -> store.edit(chat, seq, "mallory", new EditRequest("x", null, null)), ErrorCode.CHAT_NOT_FOUND);

        MessageView gone = sendOk(chat, "alice", "to delete");
        store.delete(chat, seqOf(gone), "alice", false, "everyone");
        ApiException deleted = apiError(() -> store.edit(chat, seqOf(gone), "alice", new EditRequest("x", null, null)));
        assertThat(deleted.code()).isEqualTo(ErrorCode.EDIT_NOT_ALLOWED);
        assertThat(deleted.getMessage()).isEqualTo("Deleted messages cannot be edited");

        // the window: 24 h after the message (not after the last edit)
        clock.advance(Duration.ofHours(24).minusMinutes(5));
        assertThat(store.edit(chat, seq, "alice", new EditRequest("on time", null, null)).content()).isEqualTo("on time");
        clock.advance(Duration.ofHours(24).plusMinutes(1));
        ApiException expired = apiError(() -> store.edit(chat, seq, "alice", new EditRequest("late", null, null)));
        assertThat(expired.code()).isEqualTo(ErrorCode.EDIT_TIME_EXPIRED);
        assertThat(expired.getMessage()).isEqualTo("Messages can only be edited within 24 hours");
        assertThat(Json.writeString(expired.details())).isEqualTo("{\"message_age_hours\":48,\"max_edit_hours\":24}");
        assertThat(store.get(chat, seq, "alice").content()).isEqualTo("on time");
    }

    // ------------------------------------------------------------------------------------------------ deleting

    @Test
    void deleteForMeHidesOnlyForTheCallerAndRestoreBringsItBack() {
        long chat = chat("owner", "alice", "bob");
        MessageView m = sendOk(chat, "alice", "secret");
        long seq = seqOf(m);
        DeletionResult r = store.delete(chat, seq, "bob", false, "me");
        assertThat(r).isEqualTo(new DeletionResult(m.id(), "soft", "me", r.deletedAt(), true));
        assertThat(r.deletedAt()).isNotNull();
        // twice is fine and reports the first time
        clock.advance(Duration.ofSeconds(3));
        assertThat(store.delete(chat, seq, "bob", false, "me").deletedAt()).isEqualTo(r.deletedAt());
        assertThat(page(chat, "bob", 10, 0, null, null, false, null).messages()).isEmpty();
        assertThat(page(chat, "alice", 10, 0, null, null, false, null).messages()).hasSize(1);
        assertThat(store.after(chat, "bob", 0, 10)).isEmpty();
        assertThat(store.after(chat, 0, 10)).hasSize(1);

        MessageView restored = store.restore(chat, seq, "bob");
        assertThat(restored.content()).isEqualTo("secret");
        assertThat(page(chat, "bob", 10, 0, null, null, false, null).messages()).hasSize(1);
        ApiException notDeleted = apiError(() -> store.restore(chat, seq, "bob"));
        assertThat(notDeleted.code()).isEqualTo(ErrorCode.MESSAGE_NOT_RESTORABLE);
        assertApiError(() -> store.delete(chat, 77, "bob", false, "me"), ErrorCode.MESSAGE_NOT_FOUND);
        assertApiError(() -> store.delete(chat, seq, "mallory", false, "me"), ErrorCode.CHAT_NOT_FOUND);
    }

    @Test
    void deleteForEveryoneLeavesATombstoneThatAuthorOrOwnerCanRestore() {
        long chat = chat("owner", "alice", "bob");
        JsonNode meta = json("{\"k\":1}");
        MessageView m = send(chat, SendCommand.user("alice", "oops", "text", null, null, meta, List.of(), null)).view();
        long seq = seqOf(m);
        store.edit(chat, seq, "alice", new EditRequest("oops!", null, null));
        store.react(chat, seq, "bob", "😮", "add");
        ApiException forbidden = apiError(() -> store.delete(chat, seq, "bob", false, "everyone"));
        assertThat(forbidden.code()).isEqualTo(ErrorCode.DELETE_NOT_ALLOWED);

        DeletionResult r = store.delete(chat, seq, "alice", false, "everyone");
        assertThat(r.deletionType()).isEqualTo("soft");
        assertThat(r.deletedFor()).isEqualTo("everyone");
        assertThat(r.canRestore()).isTrue();
        MessageView tomb = store.get(chat, seq, "bob");
        assertThat(tomb.content()).isEmpty();
        assertThat(tomb.fullContent()).isEmpty();
        assertThat(tomb.deletedAt()).isEqualTo(r.deletedAt());
        assertThat(tomb.editHistory()).isEmpty(); // the old text must not leak through the history
        assertThat(scalar(String.class, "SELECT content FROM messages WHERE chat_id = ? AND seq = ?", chat, seq)).isEmpty();
        // again: idempotent
        assertThat(store.delete(chat, seq, "owner", false, "everyone").deletedAt()).isEqualTo(r.deletedAt());

        assertThat(apiError(() -> store.restore(chat, seq, "bob")).code()).isEqualTo(ErrorCode.RESTORE_NOT_ALLOWED);
        MessageView back = store.restore(chat, seq, "owner");
        assertThat(back.content()).isEqualTo("oops!");
        assertThat(back.fullContent()).isEqualTo("oops!");
        assertThat(back.deletedAt()).isNull();
        assertThat(back.editHistory()).hasSize(1);
        assertThat(back.metadata()).isEqualTo(meta);
        assertThat(back.reactions()).hasSize(1);
        assertThat(apiError(() -> store.restore(chat, seq, "alice")).code()).isEqualTo(ErrorCode.MESSAGE_NOT_RESTORABLE);
    }

    @Test
    void hardDeleteRemovesTheRowForAuthorOrOwnerOnly() {
        long chat = chat("owner", "alice", "bob");
        MessageView m = sendOk(chat, "alice", "bye");
        sendOk(chat, "bob", "stays");
        long seq = seqOf(m);
        store.react(chat, seq, "bob", "👋", "add");
        store.delete(chat, seq, "bob", false, "me");
        assertThat(apiError(() -> store.delete(chat, seq, "bob", true, "everyone")).code())
                .isEqualTo(ErrorCode.DELETE_NOT_ALLOWED);
        DeletionResult r = store.delete(chat, seq, "owner", true, "me");
        assertThat(r.deletionType()).isEqualTo("hard");
        assertThat(r.deletedFor()).isEqualTo("everyone");
        assertThat(r.canRestore()).isFalse();
        assertApiError(() -> store.get(chat, seq, "alice"), ErrorCode.MESSAGE_NOT_FOUND);
        assertApiError(() -> store.restore(chat, seq, "alice"), ErrorCode.MESSAGE_NOT_FOUND);
        assertApiError(() -> store.delete(chat, seq, "alice", true, "everyone"), ErrorCode.MESSAGE_NOT_FOUND);
        assertThat(scalar(Long.class, "SELECT (SELECT count(*) FROM reactions WHERE chat_id = ?)"
                + " + (SELECT count(*) FROM message_hidden WHERE chat_id = ?)", chat, chat)).isZero();
        assertThat(scalar(Long.class, "SELECT message_count FROM chats WHERE id = ?", chat)).isEqualTo(1L);
        // seqs are never reused
        assertThat(sendOk(chat, "alice", "next").id()).isEqualTo("msg_" + chat + "_3");
    }

    // ------------------------------------------------------------------------------------------------ reactions

    @Test
    void reactionsAddTwiceRemoveAndAggregateInFirstReactionOrder() {
        long chat = chat("alice", "bob", "carol");
        long seq = seqOf(sendOk(chat, "alice", "react to me"));
        ReactionResult r1 = store.react(chat, seq, "bob", "👍", "add");
        assertThat(r1.messageId()).isEqualTo("msg_" + chat + "_" + seq);
        assertThat(r1.action()).isEqualTo("add");
        assertThat(r1.reaction().emoji()).isEqualTo("👍");
        assertThat(r1.reaction().userId()).isEqualTo("bob");
        Instant first = r1.reaction().timestamp();
        clock.advance(Duration.ofSeconds(1));
        ReactionResult twice = store.react(chat, seq, "bob", "👍", "add");
        assertThat(twice.reaction().timestamp()).isEqualTo(first);
        assertThat(twice.totalReactions()).hasSize(1);
        assertThat(twice.totalReactions().get(0).count()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        store.react(chat, seq, "carol", "❤️", "add");
        clock.advance(Duration.ofSeconds(1));
        ReactionResult r3 = store.react(chat, seq, "alice", "👍", "add");
        assertThat(r3.totalReactions()).extracting(t -> t.emoji() + ":" + t.count() + ":" + t.users())
                .containsExactly("👍:2:[bob, alice]", "❤️:1:[carol]");
        ReactionResult removed = store.react(chat, seq, "bob", "👍", "remove");
        assertThat(removed.action()).isEqualTo("remove");
        assertThat(removed.totalReactions()).extracting(t -> t.emoji() + ":" + t.users())
                .containsExactly("❤️:[carol]", "👍:[alice]");
        // removing what is not there is a no-op
        assertThat(store.react(chat, seq, "bob", "👍", "remove").totalReactions()).hasSize(2);
        assertThat(store.get(chat, seq, "bob").reactions()).extracting(r -> r.userId()).containsExactly("carol", "alice");

        assertApiError(() -> store.react(chat, 999, "bob", "👍", "add"), ErrorCode.MESSAGE_NOT_FOUND);
        assertApiError(() -> store.react(chat, seq, "mallory", "👍", "add"), ErrorCode.CHAT_NOT_FOUND);
    }

    // ------------------------------------------------------------------------------------------------ delivery

    @Test
    void receiptsOfSeveralChatsAreStoredInOneCallPerChatAndReader() {
        long first = chat("alice", "bob", "carol");
        long second = chat("dave", "erin");
        sendOk(first, "alice", "a1");
        sendOk(first, "alice", "a2");
        sendOk(second, "dave", "d1");

        Map<Long, Map<String, List<ReadChange>>> changes = store.statuses().markReadBatches(Map.of(
                first, Map.of("bob", 2L, "carol", 1L),
                second, Map.of("erin", 1L)));

        // bob's receipt reads both of alice's messages; carol's finds message 1 already read
        List<ReadChange> firstChanges = new java.util.ArrayList<>(changes.get(first).get("bob"));
        firstChanges.addAll(changes.get(first).get("carol"));
        assertThat(firstChanges).containsExactlyInAnyOrder(new ReadChange(1, "alice"), new ReadChange(2, "alice"));
        assertThat(changes.get(second).get("erin")).containsExactly(new ReadChange(1, "dave"));
        assertThat(store.statuses().lastReadSeq(first, "bob")).isEqualTo(2);
        assertThat(store.statuses().lastReadSeq(first, "carol")).isEqualTo(1);
        assertThat(store.statuses().lastReadSeq(second, "erin")).isEqualTo(1);
    }

    @Test
    void markReadMarksEverythingEarlierInOneStatementAndReturnsWhatChanged() {
        long chat = chat("alice", "bob");
        sendOk(chat, "alice", "1");                                                                   // sent
        sendOk(chat, "bob", "2");                                                                     // bob's own
        sendOk(chat, "alice", "3");                                                                   // delivered below
        send(chat, SendCommand.bot("bot", "4", null, "text", null, null, null, null));                // bot
        MessageView five = sendOk(chat, "alice", "5");                                                // edited below
        sendOk(chat, "alice", "6");                                                                   // beyond upto
        assertThat(store.statuses().markDelivered(chat, List.of(3L, 2L, 99L))).containsExactly(2L, 3L);
        assertThat(store.statuses().markDelivered(chat, List.of(3L))).isEmpty();
        store.edit(chat, seqOf(five), "alice", new EditRequest("5!", null, null));

        List<ReadChange> changed = store.statuses().markRead(chat, "bob", 5);
        assertThat(changed).containsExactly(new ReadChange(1, "alice"), new ReadChange(3, "alice"), new ReadChange(5, "alice"));
        assertThat(store.after(chat, 0, 10)).extracting(MessageView::status)
                .containsExactly("read", "delivered", "read", "delivered", "read", "sent");
        assertThat(store.statuses().lastReadSeq(chat, "bob")).isEqualTo(5);
        // going back changes nothing and does not move the receipt back
        assertThat(store.statuses().markRead(chat, "bob", 2)).isEmpty();
        assertThat(store.statuses().lastReadSeq(chat, "bob")).isEqualTo(5);
        // alice reading marks bob's message; a position beyond the end is clamped
        assertThat(store.statuses().markRead(chat, "alice", 1_000)).containsExactly(new ReadChange(2, "bob"));
        assertThat(store.statuses().lastReadSeq(chat, "alice")).isEqualTo(6);
        assertThat(store.statuses().markRead(999_999_997L, "alice", 3)).isEmpty();
    }

    private static List<String> statuses(long chat) {
        return store.after(chat, 0, 1_000).stream().map(MessageView::status).toList();
    }

    private static Instant receiptUpdatedAt(long chat, String user) {
        return scalar(java.time.OffsetDateTime.class,
                "SELECT updated_at FROM read_receipts WHERE chat_id = ? AND user_id = ?", chat, user).toInstant();
    }

    @Test
    void markReadBatchesStoresSeveralChatsAndReadersAtOnceUnderThePerReaderRules() {
        long first = chat("alice", "bob", "carol");
        sendOk(first, "alice", "1");
        sendOk(first, "bob", "2");
        sendOk(first, "carol", "3");
        sendOk(first, "alice", "4");
        send(first, SendCommand.bot("bot", "5", null, "text", null, null, null, null));
        sendOk(first, "alice", "6");
        sendOk(first, "bob", "7");
        long second = chat("dave", "erin", "frank");
        sendOk(second, "dave", "1");
        sendOk(second, "dave", "2");
        sendOk(second, "dave", "3");
        sendOk(second, "erin", "4");
        store.statuses().markDelivered(second, List.of(2L));
        long third = chat("gina", "hal");
        for (int i = 1; i <= 3; i++) {
            sendOk(third, "gina", "g" + i);
        }
        assertThat(store.statuses().markRead(first, "carol", 1)).containsExactly(new ReadChange(1, "alice"));
        assertThat(store.statuses().markRead(third, "hal", 3)).hasSize(3);
        Instant halAt = receiptUpdatedAt(third, "hal");
        String botStatus = statuses(first).get(4);
        clock.advance(Duration.ofSeconds(5));
        long unknown = 999_999_994L;

        Map<Long, Map<String, List<ReadChange>>> changes = store.statuses().markReadBatches(Map.of(
                first, Map.of("bob", 5L, "carol", 7L),     // bob (0, 5] and carol (1, 7] overlap on 2..5
                second, Map.of("erin", 99L, "frank", 2L),  // erin beyond the end: capped at 4
                third, Map.of("hal", 1L),                  // moves back: ignored
                unknown, Map.of("zed", 5L)));              // no such chat: nothing, the others unaffected

        assertThat(changes).containsOnlyKeys(first, second, third, unknown);
        // never the reader's own message nor the bot's; message 4, in both ranges, changes once, for one reader
        assertThat(changes.get(first)).containsOnlyKeys("bob", "carol");
        assertThat(changes.get(first).get("bob")).containsExactly(new ReadChange(3, "carol"), new ReadChange(4, "alice"));
        assertThat(changes.get(first).get("carol"))
                .containsExactly(new ReadChange(2, "bob"), new ReadChange(6, "alice"), new ReadChange(7, "bob"));
        assertThat(statuses(first)).containsExactly("read", "read", "read", "read", botStatus, "read", "read");
        assertThat(store.statuses().lastReadSeq(first, "bob")).isEqualTo(5);
        assertThat(store.statuses().lastReadSeq(first, "carol")).isEqualTo(7);

        assertThat(changes.get(second).get("erin"))
                .containsExactly(new ReadChange(1, "dave"), new ReadChange(2, "dave"), new ReadChange(3, "dave"));
        assertThat(changes.get(second).get("frank")).isEmpty(); // 1 and 2 went to erin
        assertThat(statuses(second)).containsExactly("read", "read", "read", "sent");
        assertThat(store.statuses().lastReadSeq(second, "erin")).isEqualTo(4);
        assertThat(store.statuses().lastReadSeq(second, "frank")).isEqualTo(2);

        assertThat(changes.get(third)).containsExactly(Map.entry("hal", List.of()));
        assertThat(store.statuses().lastReadSeq(third, "hal")).isEqualTo(3);
        assertThat(receiptUpdatedAt(third, "hal")).isEqualTo(halAt); // not even touched

        assertThat(changes.get(unknown)).containsExactly(Map.entry("zed", List.of()));
        assertThat(scalar(Long.class, "SELECT count(*) FROM read_receipts WHERE chat_id = ?", unknown)).isZero();

        // the next receipt starts from the stored position: only the new message, and the capped receipt moves on
        sendOk(second, "dave", "5");
        assertThat(store.statuses().markReadBatches(Map.of(second, Map.of("erin", 1_000L))).get(second).get("erin"))
                .containsExactly(new ReadChange(5, "dave"));
        assertThat(store.statuses().lastReadSeq(second, "erin")).isEqualTo(5);
        assertThat(store.statuses().markReadBatches(Map.of())).isEmpty();
        assertThat(store.statuses().markReadBatches(Map.of(first, Map.of()))).containsExactly(Map.entry(first, Map.of()));
    }

    @Test
    void readersOfOneChatInOneBatchChangeAndReportEachMessageOnce() {
        long chat = chat("alice", "bob", "carol", "dan");
        for (int i = 1; i <= 4; i++) {
            sendOk(chat, "alice", "m" + i);
        }
        sendOk(chat, "dan", "m5");
        store.edit(chat, 2, "alice", new EditRequest("m2!", null, null));

        // the hub's coalesced batch: three readers over the same messages, each message reported once
        Map<String, List<ReadChange>> changes = store.statuses().markRead(chat, Map.of("dan", 4L, "carol", 5L, "bob", 3L));

        List<ReadChange> all = changes.values().stream().flatMap(List::stream).toList();
        assertThat(all).containsExactlyInAnyOrder(new ReadChange(1, "alice"), new ReadChange(2, "alice"),
                new ReadChange(3, "alice"), new ReadChange(4, "alice"), new ReadChange(5, "dan"));
        // attributed to the least reader id that reached it
        assertThat(changes.get("bob")).extracting(ReadChange::seq).containsExactly(1L, 2L, 3L);
        assertThat(changes.get("carol")).extracting(ReadChange::seq).containsExactly(4L, 5L);
        assertThat(changes.get("dan")).isEmpty();
        assertThat(statuses(chat)).containsOnly("read");
        assertThat(store.statuses().lastReadSeq(chat, "bob")).isEqualTo(3);
        assertThat(store.statuses().lastReadSeq(chat, "carol")).isEqualTo(5);
        assertThat(store.statuses().lastReadSeq(chat, "dan")).isEqualTo(4);
        // a repeat changes nothing
        assertThat(store.statuses().markRead(chat, Map.of("dan", 5L, "bob", 5L)).values()).allSatisfy(l -> assertThat(l).isEmpty());
    }

    @Test
    void markDeliveredBatchesChangesOnlySentMessagesOfEveryChatAtOnce() {
        long first = chat("alice", "bob");
        sendOk(first, "alice", "1");
        sendOk(first, "alice", "2");
        assertThat(store.statuses().markRead(first, "bob", 1)).hasSize(1);
        sendOk(first, "alice", "3");
        sendOk(first, "alice", "4");
        store.edit(first, 4, "alice", new EditRequest("4!", null, null));
        long second = chat("carol", "dan");
        sendOk(second, "carol", "1");
        sendOk(second, "carol", "2");
        long idle = chat("erin");
        long unknown = 999_999_993L;

        Map<Long, List<Long>> changed = store.statuses().markDeliveredBatches(Map.of(
                first, List.of(4L, 1L, 3L, 2L, 99L, 3L), second, List.of(2L), idle, List.of(), unknown, List.of(1L)));

        assertThat(changed).containsOnlyKeys(first, second, idle, unknown);
        assertThat(changed.get(first)).containsExactly(2L, 3L); // 1 is read, 4 edited, 99 not there; ascending
        assertThat(changed.get(second)).containsExactly(2L);
        assertThat(changed.get(idle)).isEmpty();
        assertThat(changed.get(unknown)).isEmpty();
        assertThat(statuses(first)).containsExactly("read", "delivered", "delivered", "edited");
        assertThat(statuses(second)).containsExactly("sent", "delivered");
        // again: nothing is still sent
        assertThat(store.statuses().markDeliveredBatches(Map.of(first, List.of(1L, 2L, 3L, 4L), second, List.of(2L))).values())
                .allSatisfy(l -> assertThat(l).isEmpty());
        assertThat(store.statuses().markDelivered(second, List.of(1L, 2L))).containsExactly(1L);
        assertThat(store.statuses().markDelivered(second, List.of())).isEmpty();
    }

    @Test
    void concurrentReceiptAndDeliveredBatchesOverSharedChatsDoNotDeadlockAndReportEachReadOnce() throws Exception {
        int messages = 40;
        String[] readers = {"r0", "r1", "r2", "r3"};
        long[] chats = new long[5];
        for (int i = 0; i < chats.length; i++) {
            chats[i] = chat("alice", readers);
            List<SendCommand> batch = new ArrayList<>();
            for (int s = 1; s <= messages; s++) {
                batch.add(text("alice", "m" + s));
            }
            store.insertBatch(chats[i], batch);
        }
        // stronger than the hub, which has one receipts batch per chat in flight: here two race on the same receipts
        int threads = 4;
        Map<Long, List<Long>> reportedRead = new ConcurrentHashMap<>();
        Map<String, AtomicLong> highestAsked = new ConcurrentHashMap<>();
        together(threads, 120, t -> {
            boolean receipts = t % 2 == 0;
            Random random = new Random(7 + t);
            for (int round = 1; round <= 30; round++) {
                List<Long> picked = new ArrayList<>(LongStream.of(chats).boxed().toList());
                Collections.shuffle(picked, random);
                picked = picked.subList(0, 2 + random.nextInt(chats.length - 1));
                if (receipts) {
                    Map<Long, Map<String, Long>> byChat = new LinkedHashMap<>();
                    for (long chat : picked) {
                        Map<String, Long> uptos = new LinkedHashMap<>();
                        for (String reader : readers) {
                            if (random.nextBoolean()) {
                                long upto = Math.min(messages + 5, round + random.nextInt(12));
                                uptos.put(reader, upto);
                                highestAsked.computeIfAbsent(chat + "/" + reader, k -> new AtomicLong())
                                        .accumulateAndGet(upto, Math::max);
                            }
                        }
                        byChat.put(chat, uptos);
                    }
                    store.statuses().markReadBatches(byChat).forEach((chat, changes) -> changes.values().forEach(list ->
                            list.forEach(c -> reportedRead.computeIfAbsent(chat, k -> new CopyOnWriteArrayList<>())
                                    .add(c.seq()))));
                } else {
                    Map<Long, List<Long>> byChat = new LinkedHashMap<>();
                    for (long chat : picked) {
                        List<Long> seqs = new ArrayList<>();
                        for (int k = 0; k < 8; k++) {
                            seqs.add(1L + random.nextInt(messages));
                        }
                        byChat.put(chat, seqs);
                    }
                    store.statuses().markDeliveredBatches(byChat);
                }
            }
        });
        for (long chat : chats) {
            long furthest = 0;
            for (String reader : readers) {
                AtomicLong asked = highestAsked.get(chat + "/" + reader);
                long expected = asked == null ? 0 : Math.min(asked.get(), messages);
                assertThat(store.statuses().lastReadSeq(chat, reader)).as("receipt of %s in chat %d", reader, chat).isEqualTo(expected);
                furthest = Math.max(furthest, expected);
            }
            List<String> status = statuses(chat);
            List<Long> read = LongStream.rangeClosed(1, messages).filter(s -> status.get((int) s - 1).equals("read"))
                    .boxed().toList();
            // everything up to the furthest receipt is read, nothing beyond; each read reported exactly once
            assertThat(read).containsExactlyElementsOf(LongStream.rangeClosed(1, furthest).boxed().toList());
            assertThat(reportedRead.getOrDefault(chat, List.of())).containsExactlyInAnyOrderElementsOf(read);
        }
    }

    @Test
    void afterReturnsTheTailForResume() {
        long chat = chat("alice");
        for (int i = 1; i <= 5; i++) {
            sendOk(chat, "alice", "m" + i);
        }
        assertThat(store.after(chat, 2, 2)).extracting(MessageView::content).containsExactly("m3", "m4");
        assertThat(store.after(chat, 5, 10)).isEmpty();
        assertThat(store.latestSeq(chat)).isEqualTo(5);
        assertThat(store.latestSeq(999_999_996L)).isZero();
    }

    /** A settable clock for edit windows and ordering. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Work of one of several threads started together by {@link #together}. */
    @FunctionalInterface
    private interface ThreadWork {
        void run(int thread) throws Exception;
    }

    /** Runs {@code work} on {@code threads} threads released at the same moment; rethrows the first failure. */
    private static void together(int threads, long timeoutSeconds, ThreadWork work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    work.run(thread);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(timeoutSeconds, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
