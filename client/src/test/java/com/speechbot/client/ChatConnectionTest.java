package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ChatEvent;
import com.speechbot.client.ws.CloseReason;
import com.speechbot.client.ws.ConnectionOptions;
import com.speechbot.client.ws.Outgoing;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.MessageView;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChatConnectionTest {

    private final ClientTestServer server = ClientTestServer.shared();

    @Test
    void sendsAreConfirmedAndEveryEventArrivesTyped() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        String bob = ClientTestServer.newUser("bob");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("live", false);
        a.addMember(chat.id(), bob);
        EventLog aliceLog = new EventLog();
        EventLog bobLog = new EventLog();
        try (ChatConnection ac = a.connect(chat.id(), ConnectionOptions.defaults().onEvent(aliceLog)
                     .typing(Duration.ofSeconds(3), Duration.ofMillis(300)));
             ChatConnection bc = server.client(bob).connect(chat.id(), ConnectionOptions.defaults().onEvent(bobLog))) {
            await().until(() -> ac.isLive() && bc.isLive());

            Outgoing out = ac.send("Hello Bob");
            assertThat(out.local().status()).isEqualTo("sending");
            assertThat(out.local().id()).isEqualTo(out.clientMessageId());
            MessageView stored = out.stored().get(10, TimeUnit.SECONDS);
            assertThat(stored.clientMessageId()).isEqualTo(out.clientMessageId());
            await().until(() -> bobLog.contents().contains("Hello Bob"));
            assertThat(aliceLog.of(ChatEvent.NewMessage.class)).singleElement()
                    .satisfies(e -> assertThat(e.confirmsLocalSend()).isTrue());
            assertThat(bobLog.of(ChatEvent.NewMessage.class)).singleElement()
                    .satisfies(e -> assertThat(e.confirmsLocalSend()).isFalse());

            // typing: many keystrokes, one "true"; then it ends by itself
            for (int i = 0; i < 5; i++) {
                bc.typing();
            }
            await().until(() -> aliceLog.of(ChatEvent.TypingChanged.class).stream().anyMatch(t -> !t.typing().isTyping()));
            assertThat(aliceLog.of(ChatEvent.TypingChanged.class)).extracting(t -> t.typing().isTyping())
                    .containsExactly(true, false);

            bc.markRead(stored.id());
            await().until(() -> aliceLog.of(ChatEvent.StatusChanged.class).stream()
                    .anyMatch(s -> "read".equals(s.status().status()) && bob.equals(s.status().userId())));

            server.client(bob).react(chat.id(), stored.id(), "👍", true);
            a.editMessage(chat.id(), stored.id(), "Hello, Bob", null);
            a.deleteMessage(chat.id(), stored.id(), false, true);
            await().until(() -> !bobLog.of(ChatEvent.ReactionChanged.class).isEmpty()
                    && bobLog.of(ChatEvent.MessageUpdated.class).stream().anyMatch(u -> "Hello, Bob".equals(u.message().content()))
                    && !bobLog.of(ChatEvent.MessageDeleted.class).isEmpty());
        }
        await().until(() -> aliceLog.of(ChatEvent.Disconnected.class).stream()
                .anyMatch(d -> d.reason() == CloseReason.CLOSED_BY_CLIENT && d.retryIn() == null));
    }

    @Test
    void aRejectedSendIsGivenUpWithItsErrorCode() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("give up", false);
        EventLog log = new EventLog();
        AtomicInteger givenUp = new AtomicInteger();
        try (ChatConnection c = a.connect(chat.id(), ConnectionOptions.defaults().onEvent(log)
                .onGiveUp(g -> {
                    assertThat(g.error()).isEqualTo("INVALID_MESSAGE_CONTENT");
                    givenUp.incrementAndGet();
                }))) {
            Outgoing bad = c.send("   ");
            await().until(() -> givenUp.get() == 1);
            assertThat(bad.stored()).isCompletedExceptionally();
            assertThat(c.queued().get()).isEmpty();
        }
    }

    @Test
    void anExpiredTokenOnTheUpgradeIsRefreshedFromTheSupplier() {
        String alice = ClientTestServer.newUser("alice");
        ChatView chat = server.client(alice).createChat("expiry", false);
        AtomicInteger asked = new AtomicInteger();
        EventLog log = new EventLog();
        SpeechBotClient c = SpeechBotClient.builder().baseUrl(server.baseUrl())
                // the 1st and the 3rd token are expired: at start, and again when the session's token ran out
                .tokenSupplier(() -> asked.incrementAndGet() % 2 == 1 ? server.expiredToken(alice) : server.token(alice))
                .build();
        try (ChatConnection conn = c.connect(chat.id(), ConnectionOptions.defaults().onEvent(log))) {
            await().until(conn::isLive);
            assertThat(log.of(ChatEvent.Disconnected.class)).extracting(ChatEvent.Disconnected::reason)
                    .containsExactly(CloseReason.TOKEN_REJECTED);

            conn.reconnectNow();
            await().until(() -> log.of(ChatEvent.Disconnected.class).size() == 3 && conn.isLive());
            assertThat(log.of(ChatEvent.Disconnected.class)).extracting(ChatEvent.Disconnected::reason)
                    .containsExactly(CloseReason.TOKEN_REJECTED, CloseReason.NETWORK, CloseReason.TOKEN_REJECTED);
            assertThat(asked.get()).isEqualTo(4);
            assertThat(conn.send("still here").stored().join().content()).isEqualTo("still here");
        }
    }

    @Test
    void aNonMemberIsToldOnceAndNotRetried() {
        ChatView chat = server.client(ClientTestServer.newUser("alice")).createChat("private", false);
        EventLog log = new EventLog();
        try (ChatConnection c = server.client(ClientTestServer.newUser("mallory"))
                .connect(chat.id(), ConnectionOptions.defaults().onEvent(log))) {
            await().until(() -> !log.of(ChatEvent.Disconnected.class).isEmpty());
            ChatEvent.Disconnected d = log.of(ChatEvent.Disconnected.class).get(0);
            assertThat(d.reason()).isEqualTo(CloseReason.CHAT_NOT_FOUND);
            assertThat(d.retryIn()).isNull();
            assertThat(c.isLive()).isFalse();
        }
    }
}
