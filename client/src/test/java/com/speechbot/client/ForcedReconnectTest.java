package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.speechbot.client.rest.MessageQuery;
import com.speechbot.client.rest.NewMessage;
import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ChatEvent;
import com.speechbot.client.ws.ConnectionOptions;
import com.speechbot.client.ws.Outgoing;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.Ids;
import com.speechbot.protocol.MessageView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ForcedReconnectTest {

    private final ClientTestServer server = ClientTestServer.shared();

    @Test
    void everyMessageArrivesExactlyOnceInOrderAcross100ForcedReconnects() throws Exception {
        String alice = ClientTestServer.newUser("alice");
        String bob = ClientTestServer.newUser("bob");
        SpeechBotClient a = server.client(alice);
        ChatView chat = a.createChat("reconnects", false);
        a.addMember(chat.id(), bob);
        a.sendMessage(chat.id(), NewMessage.text("seed", "seed")); // bob's resume point comes from connection_established
        ConnectionOptions fast = ConnectionOptions.defaults().backoff(Duration.ofMillis(5), Duration.ofMillis(50));
        EventLog bobLog = new EventLog();
        List<Outgoing> sent = new CopyOnWriteArrayList<>();
        AtomicBoolean sending = new AtomicBoolean(true);

        try (ChatConnection sender = a.connect(chat.id(), fast);
             ChatConnection receiver = server.client(bob).connect(chat.id(), ConnectionOptions.defaults()
                     .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).onEvent(bobLog))) {
            await().until(() -> sender.isLive() && receiver.isLive() && receiver.lastMessageId() != null);
            Thread writer = new Thread(() -> {
                for (int i = 0; sending.get(); i++) {
                    sent.add(sender.send("m" + i));
                    if (i % 25 == 24) {
                        sender.reconnectNow(); // the sender's socket dies too, with sends in flight
                    }
                    try {
                        Thread.sleep(3);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            writer.start();
            for (int i = 1; i <= 100; i++) {
                int connectsBefore = bobLog.of(ChatEvent.Connected.class).size();
                receiver.reconnectNow();
                await().until(() -> bobLog.of(ChatEvent.Connected.class).size() > connectsBefore && receiver.isLive());
            }
            sending.set(false);
            writer.join();
            await().atMost(Duration.ofSeconds(30)).until(() -> sent.stream().allMatch(o -> o.stored().isDone())
                    && bobLog.newMessages().size() >= sent.size());

            List<String> expected = new ArrayList<>();
            for (Outgoing o : sent) {
                expected.add(o.stored().join().content());
            }
            List<MessageView> seen = bobLog.newMessages();
            assertThat(seen).extracting(MessageView::content).containsExactlyElementsOf(expected);
            assertThat(seen).extracting(m -> Ids.parseMessageId(m.id()).seq()).isSorted().doesNotHaveDuplicates();
            assertThat(bobLog.of(ChatEvent.Resumed.class)).hasSizeGreaterThanOrEqualTo(100);
        }
        List<String> all = new ArrayList<>();
        String last = null;
        for (List<MessageView> page; !(page = a.listMessages(chat.id(), MessageQuery.after(last, 200)).messages()).isEmpty(); ) {
            page.forEach(m -> all.add(m.content()));
            last = page.get(page.size() - 1).id();
        }
        assertThat(all).doesNotHaveDuplicates().hasSize(sent.size() + 1);
    }
}
