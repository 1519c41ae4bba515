package com.speechbot.server.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.error.ApiException;
import com.speechbot.server.error.ErrorMapper;
import com.speechbot.server.store.Migrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The chat store and service against a real PostgreSQL (one server for the class; every test uses fresh user ids). */
class ChatStoreTest {

    private static final ServerConfig.Limits LIMITS =
            new ServerConfig.Limits(32768, 16384, 10485760, 4, 20, 24, 50, 200);

    private static EmbeddedPostgres pg;
    private static Jdbi jdbi;
    private static ChatStore store;
    private static ExecutorService dbExecutor;

    @BeforeAll
    static void startDatabase() throws Exception {
        pg = EmbeddedPostgres.start();
        DataSource ds = pg.getPostgresDatabase();
        assertThat(Migrator.migrate(ds)).isGreaterThanOrEqualTo(1);
        jdbi = Jdbi.create(ds);
        store = new ChatStore(jdbi);
        AtomicInteger n = new AtomicInteger();
        dbExecutor = Executors.newFixedThreadPool(8, r -> new Thread(r, "test-db-" + n.incrementAndGet()));
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (dbExecutor != null) {
            dbExecutor.shutdownNow();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static String user(String name) {
        return name + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void createMakesTheCallerOwnerAndOnlyMember() {
        String alice = user("alice");
        long before = System.currentTimeMillis();
        ChatDetails created = store.create(alice, "Data Analysis", true);

        ChatView view = created.view();
        assertThat(view.id()).matches("chat_\\d+").isEqualTo("chat_" + created.row().id());
        assertThat(created.row().id()).isGreaterThanOrEqualTo(before - 5_000); // a millisecond timestamp
        assertThat(view.title()).isEqualTo("Data Analysis");
        assertThat(view.ownerId()).isEqualTo(alice);
        assertThat(view.botEnabled()).isTrue();
        assertThat(view.members()).containsExactly(alice);
        assertThat(view.messageCount()).isZero();
        assertThat(view.lastMessageId()).isNull();
        assertThat(view.createdAt()).isNotNull().isEqualTo(view.updatedAt());

        long chat = created.row().id();
        assertThat(store.find(chat)).isEqualTo(created.row());
        assertThat(store.isMember(chat, alice)).isTrue();
        assertThat(store.members(chat)).containsExactly(alice);
        assertThat(store.get(alice, chat).view()).isEqualTo(view);

        ChatDetails quiet = store.create(alice, "Quiet", false);
        assertThat(quiet.row().botEnabled()).isFalse();
        assertThat(quiet.row().id()).isNotEqualTo(chat);
    }

    @Test
    void lastMessageIdFollowsLastSeq() {
        String alice = user("alice");
        long chat = store.create(alice, "Busy", true).row().id();
        jdbi.useHandle(h -> h.execute("UPDATE chats SET last_seq = 5, message_count = 4 WHERE id = ?", chat));

        ChatView view = store.get(alice, chat).view();
        assertThat(view.lastMessageId()).isEqualTo("msg_" + chat + "_5");
        assertThat(view.messageCount()).isEqualTo(4);
    }

    @Test
    void listShowsOnlyTheCallersChatsNewestActivityFirstWithPagination() {
        String alice = user("alice");
        String bob = user("bob");
        long a = store.create(alice, "A", true).row().id();
        long b = store.create(alice, "B", true).row().id();
        long c = store.create(alice, "C", true).row().id();
        long bobs = store.create(bob, "Bob's", true).row().id();

        assertThat(ids(store.list(alice, 50, 0))).containsExactly(c, b, a);

        // activity moves a chat to the top
        store.update(alice, a, "A renamed", null);
        assertThat(ids(store.list(alice, 50, 0))).containsExactly(a, c, b);

        // a chat someone added you to is listed too
        store.addMember(bob, bobs, alice);
        ChatPage all = store.list(alice, 50, 0);
        assertThat(ids(all)).containsExactlyInAnyOrder(a, b, c, bobs);
        assertThat(all.pagination()).isEqualTo(new ChatPage.Pagination(4, 4, false, null));

        ChatPage first = store.list(alice, 3, 0);
        assertThat(first.chats()).hasSize(3);
        assertThat(first.pagination()).isEqualTo(new ChatPage.Pagination(4, 3, true, 3L));
        ChatPage second = store.list(alice, 3, 3);
        assertThat(second.chats()).hasSize(1);
        assertThat(second.pagination()).isEqualTo(new ChatPage.Pagination(4, 1, false, null));
        List<Long> paged = new ArrayList<>(ids(first));
        paged.addAll(ids(second));
        assertThat(paged).isEqualTo(ids(all));

        ChatPage beyond = store.list(alice, 3, 10);
        assertThat(beyond.chats()).isEmpty();
        assertThat(beyond.pagination()).isEqualTo(new ChatPage.Pagination(4, 0, false, null));

        assertThat(ids(store.list(bob, 50, 0))).containsExactly(bobs);
        assertThat(store.list(user("nobody"), 50, 0).pagination()).isEqualTo(new ChatPage.Pagination(0, 0, false, null));
    }

    @Test
    void nonMembersSeeChatNotFoundEverywhere() {
        String alice = user("alice");
        String mallory = user("mallory");
        long chat = store.create(alice, "Private", true).row().id();
        long missing = chat + 1_000_000_000L;

        for (long id : new long[] {chat, missing}) {
            assertThat(store.isMember(id, mallory)).isFalse();
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.get(mallory, id));
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.update(mallory, id, "Mine", null));
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.addMember(mallory, id, mallory));
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.removeMember(mallory, id, mallory));
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.removeMember(mallory, id, alice));
            expectCode(ErrorCode.CHAT_NOT_FOUND, () -> jdbi.useHandle(h -> store.requireMember(h, id, mallory)));
        }
        expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.get(alice, missing));
        assertThat(store.find(missing)).isNull();
        assertThat(store.members(missing)).isEmpty();
        // nothing changed
        assertThat(store.get(alice, chat).view().title()).isEqualTo("Private");
        assertThat(store.members(chat)).containsExactly(alice);
    }

    @Test
    void requireMemberWorksInsideAnotherTransaction() {
        String alice = user("alice");
        long chat = store.create(alice, "Tx", true).row().id();
        ChatRow row = jdbi.inTransaction(h -> {
            ChatRow r = store.requireMember(h, chat, alice);
            h.execute("UPDATE chats SET last_seq = last_seq + 1 WHERE id = ?", chat);
            return r;
        });
        assertThat(row.id()).isEqualTo(chat);
        assertThat(row.ownerId()).isEqualTo(alice);
        assertThat(store.find(chat).lastSeq()).isEqualTo(1);
    }

    @Test
    void onlyTheOwnerChangesTheChatOrItsMembers() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        long chat = store.create(alice, "Team", true).row().id();
        store.addMember(alice, chat, bob);

        expectCode(ErrorCode.NOT_CHAT_OWNER, () -> store.update(bob, chat, "Bob's now", null));
        expectCode(ErrorCode.NOT_CHAT_OWNER, () -> store.update(bob, chat, null, false));
        expectCode(ErrorCode.NOT_CHAT_OWNER, () -> store.addMember(bob, chat, carol));
        expectCode(ErrorCode.NOT_CHAT_OWNER, () -> store.removeMember(bob, chat, alice));
        assertThat(store.members(chat)).containsExactlyInAnyOrder(alice, bob);
        assertThat(store.find(chat).title()).isEqualTo("Team");
        assertThat(store.find(chat).botEnabled()).isTrue();

        // but a member may read it
        assertThat(store.get(bob, chat).view().members()).containsExactlyInAnyOrder(alice, bob);
    }

    @Test
    void updateChangesOnlyGivenFieldsAndBumpsUpdatedAt() throws Exception {
        String alice = user("alice");
        ChatRow created = store.create(alice, "Before", true).row();
        Thread.sleep(5);

        ChatRow renamed = store.update(alice, created.id(), "After", null).row();
        assertThat(renamed.title()).isEqualTo("After");
        assertThat(renamed.botEnabled()).isTrue();
        assertThat(renamed.updatedAt()).isAfter(created.updatedAt());
        assertThat(renamed.createdAt()).isEqualTo(created.createdAt());

        ChatRow muted = store.update(alice, created.id(), null, false).row();
        assertThat(muted.title()).isEqualTo("After");
        assertThat(muted.botEnabled()).isFalse();
        assertThat(muted.updatedAt()).isAfterOrEqualTo(renamed.updatedAt());
    }

    @Test
    void addingTwiceIsANoOpAndMembersAreSorted() {
        String owner = "owner_" + UUID.randomUUID();
        long chat = store.create(owner, "Sorted", true).row().id();

        MemberAdded first = store.addMember(owner, chat, "zed");
        assertThat(first.added()).isTrue();
        assertThat(first.chatId()).isEqualTo("chat_" + chat);
        assertThat(first.userId()).isEqualTo("zed");
        MemberAdded again = store.addMember(owner, chat, "zed");
        assertThat(again.added()).isFalse();
        assertThat(store.addMember(owner, chat, "adam").added()).isTrue();
        assertThat(store.addMember(owner, chat, owner).added()).isFalse();

        List<String> expected = new ArrayList<>(List.of("adam", "zed", owner));
        expected.sort(null);
        assertThat(store.members(chat)).isEqualTo(expected);
        assertThat(store.get(owner, chat).view().members()).isEqualTo(expected);
        assertThat(store.addMember(owner, chat, "bob").chat().members()).contains("bob").isSorted();
    }

    @Test
    void membersLeaveAndTheOwnerRemovesOthersButCannotLeave() {
        String alice = user("alice");
        String bob = user("bob");
        String carol = user("carol");
        long chat = store.create(alice, "Leaving", true).row().id();
        store.addMember(alice, chat, bob);
        store.addMember(alice, chat, carol);

        MemberRemoved left = store.removeMember(bob, chat, bob);
        assertThat(left).isEqualTo(new MemberRemoved("chat_" + chat, bob, true));
        assertThat(store.isMember(chat, bob)).isFalse();
        expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.get(bob, chat));
        expectCode(ErrorCode.CHAT_NOT_FOUND, () -> store.removeMember(bob, chat, bob));
        assertThat(ids(store.list(bob, 50, 0))).doesNotContain(chat);

        expectCode(ErrorCode.INVALID_MEMBER, () -> store.removeMember(alice, chat, alice));
        assertThat(store.isMember(chat, alice)).isTrue();

        assertThat(store.removeMember(alice, chat, carol).removed()).isTrue();
        assertThat(store.removeMember(alice, chat, carol).removed()).isFalse();
        assertThat(store.removeMember(alice, chat, "never-a-member").removed()).isFalse();
        assertThat(store.members(chat)).containsExactly(alice);

        // re-adding someone who left works
        assertThat(store.addMember(alice, chat, bob).added()).isTrue();
        assertThat(store.isMember(chat, bob)).isTrue();
    }

    @Test
    void concurrentCreatesGetDistinctTimestampIds() throws Exception {
        String owner = user("racer");
        int creates = 50;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ChatDetails>> futures = new ArrayList<>();
            for (int i = 0; i < creates; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.create(owner, "Race " + n, true);
                }));
            }
            long before = System.currentTimeMillis();
            start.countDown();
            Set<String> ids = new HashSet<>();
            for (Future<ChatDetails> f : futures) {
                ChatView v = f.get(60, TimeUnit.SECONDS).view();
                assertThat(v.id()).matches("chat_\\d+");
                assertThat(Long.parseLong(v.id().substring(5))).isGreaterThanOrEqualTo(before - 5_000);
                ids.add(v.id());
            }
            assertThat(ids).hasSize(creates);
            assertThat(store.list(owner, 200, 0).pagination().total()).isEqualTo(creates);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createRetriesWhenAConcurrentTransactionTookTheSameId() throws Exception {
        String owner = user("racer");
        // a chat number in the future makes the next numbers max + 1, which two transactions can compute alike
        long future = System.currentTimeMillis() + 600_000;
        String insert = "INSERT INTO chats (id, title, owner_id, created_at, updated_at) VALUES (?, 'taken', ?, now(), now())";
        jdbi.useHandle(h -> h.execute(insert, future, owner));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Handle first = jdbi.open()) {
            first.begin();
            first.execute(insert, future + 1, owner); // uncommitted: invisible to the racing create's max(id)
            CompletableFuture<ChatDetails> racing =
                    CompletableFuture.supplyAsync(() -> store.create(owner, "Racing", true), pool);
            awaitBlockedInsert();
            first.commit();
            ChatDetails created = racing.get(30, TimeUnit.SECONDS);
            assertThat(created.row().id()).isEqualTo(future + 2);
            assertThat(created.members()).containsExactly(owner);
            assertThat(store.members(future + 2)).containsExactly(owner);
        } finally {
            pool.shutdownNow();
            jdbi.useHandle(h -> h.execute("DELETE FROM chats WHERE id BETWEEN ? AND ?", future, future + 2));
        }
    }

    /** Waits until a chat insert waits on a row lock (the uncommitted conflicting id). */
    private static void awaitBlockedInsert() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO chats AS c%'")
                .mapTo(Integer.class).one()) == 0) {
            assertThat(System.nanoTime()).as("racing insert blocked").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void serviceValidatesRunsOnTheExecutorAndNotifiesTheListener() {
        List<String> events = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        ChatListener listener = new ChatListener() {
            @Override
            public void membersChanged(long chat) {
                events.add("members:" + chat);
            }

            @Override
            public void chatChanged(long chat, ChatRow row) {
                threads.add(Thread.currentThread().getName());
                events.add("chat:" + chat + ":" + row.title() + ":" + row.botEnabled());
            }
        };
        ChatService service = new ChatService(jdbi, dbExecutor, LIMITS, listener);
        String alice = user("alice");

        ChatView view = service.create(alice, "  Trimmed  ", true).join();
        long chat = Long.parseLong(view.id().substring(5));
        assertThat(view.title()).isEqualTo("Trimmed");
        assertThat(threads).allMatch(t -> t.startsWith("test-db-"));
        assertThat(events).containsExactly("chat:" + chat + ":Trimmed:true", "members:" + chat);

        events.clear();
        service.update(alice, chat, null, false).join();
        assertThat(service.addMember(alice, chat, "bob").join().added()).isTrue();
        assertThat(service.addMember(alice, chat, "bob").join().added()).isFalse();
        assertThat(service.removeMember(alice, chat, "bob").join().removed()).isTrue();
        assertThat(service.removeMember(alice, chat, "bob").join().removed()).isFalse();
        assertThat(events).containsExactly("chat:" + chat + ":Trimmed:false", "members:" + chat, "members:" + chat);

        assertThat(service.isMember(chat, alice).join()).isTrue();
        assertThat(service.members(chat).join()).containsExactly(alice);
        assertThat(service.get(alice, chat).join().botEnabled()).isFalse();
        assertThat(service.list(alice, 10_000, -5).join().chats()).hasSize(1);

        expectFailure(ErrorCode.VALIDATION_ERROR, service.create(alice, "   ", true));
        expectFailure(ErrorCode.VALIDATION_ERROR, service.create(alice, null, true));
        expectFailure(ErrorCode.VALIDATION_ERROR, service.create(alice, "x".repeat(21), true));
        assertThat(service.create(alice, "\uD83D\uDE00".repeat(20), true).join().title()).hasSize(40); // 20 characters
        expectFailure(ErrorCode.VALIDATION_ERROR, service.update(alice, chat, null, null));
        expectFailure(ErrorCode.VALIDATION_ERROR, service.update(alice, chat, " ", null));
        expectFailure(ErrorCode.INVALID_MEMBER, service.addMember(alice, chat, " "));
        expectFailure(ErrorCode.INVALID_MEMBER, service.addMember(alice, chat, "u".repeat(201)));
        assertThat(service.addMember(alice, chat, "u".repeat(200)).join().added()).isTrue();
        expectFailure(ErrorCode.CHAT_NOT_FOUND, service.get("someone-else", chat));
    }

    @Test
    void aFullExecutorFailsTheFutureInsteadOfThrowing() {
        ChatService service = new ChatService(jdbi, r -> {
            throw new java.util.concurrent.RejectedExecutionException("full");
        }, LIMITS);
        CompletableFuture<ChatView> f = service.get("anyone", 1);
        assertThat(f).isCompletedExceptionally();
        assertThat(ErrorMapper.toApi(catchFailure(f), "test").code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
    }

    private static List<Long> ids(ChatPage page) {
        return page.chats().stream().map(v -> Long.parseLong(v.id().substring(5))).toList();
    }

    private static void expectCode(ErrorCode code, Executable call) {
        assertThatThrownBy(call::execute)
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static void expectFailure(ErrorCode code, CompletableFuture<?> future) {
        Throwable failure = catchFailure(future);
        assertThat(failure).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    private static Throwable catchFailure(CompletableFuture<?> future) {
        try {
            future.join();
        } catch (RuntimeException e) {
            return ErrorMapper.unwrap(e);
        }
        throw new AssertionError("expected the future to fail");
    }
}
