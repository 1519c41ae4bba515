package com.speechbot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.speechbot.client.rest.MessageQuery;
import com.speechbot.client.rest.NewMessage;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.ErrorCode;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.SentMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RestApiTest {

    private final ClientTestServer server = ClientTestServer.shared();

    @Test
    void chatsMembersAndMessagesRoundTrip() {
        String alice = ClientTestServer.newUser("alice");
        String bob = ClientTestServer.newUser("bob");
        SpeechBotClient a = server.client(alice);
        SpeechBotClient b = server.client(bob);

        ChatView chat = a.createChat("Data Analysis Discussion", false);
        assertThat(a.addMember(chat.id(), bob).chat().members()).containsExactlyInAnyOrder(alice, bob);
        assertThat(a.updateChat(chat.id(), "Renamed", null).title()).isEqualTo("Renamed");
        assertThat(b.listChats(10, 0).chats()).extracting(ChatView::id).contains(chat.id());

        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        SentMessage sent = a.sendMessage(chat.id(), NewMessage.text("Can you analyze this data?", "temp_1")
                .withAttachments(List.of(NewMessage.Attachment.of("data.csv", "text/csv", csv))));
        MessageView m = sent.message();
        assertThat(m.clientMessageId()).isEqualTo("temp_1");
        assertThat(sent.chatUpdated().messageCount()).isEqualTo(1);
        assertThat(b.downloadAttachment(m.attachments().get(0).id())).isEqualTo(csv);
        // the same client_message_id again: the stored copy, not a second message
        assertThat(a.sendMessage(chat.id(), NewMessage.text("Can you analyze this data?", "temp_1")).message().id())
                .isEqualTo(m.id());

        assertThat(a.editMessage(chat.id(), m.id(), "Can you analyze this CSV?", "Fixed typo").editHistory())
                .singleElement().satisfies(e -> assertThat(e.editReason()).isEqualTo("Fixed typo"));
        assertThat(b.react(chat.id(), m.id(), "👍", true).totalReactions())
                .singleElement().satisfies(t -> assertThat(t.users()).containsExactly(bob));
        assertThat(a.deleteMessage(chat.id(), m.id(), false, true).deletedFor()).isEqualTo("everyone");
        assertThat(a.restoreMessage(chat.id(), m.id()).deletedAt()).isNull();

        MessagePage page = b.listMessages(chat.id(), MessageQuery.after(null, 10));
        assertThat(page.messages()).extracting(MessageView::content).containsExactly("Can you analyze this CSV?");
        assertThat(b.removeMember(chat.id(), bob).removed()).isTrue();
    }

    @Test
    void errorsCarryCodeDetailsAndRequestId() {
        SpeechBotClient a = server.client(ClientTestServer.newUser("alice"));
        ChatView chat = a.createChat("errors", false);

        SpeechBotException empty = catchThrowableOfType(SpeechBotException.class,
                () -> a.sendMessage(chat.id(), NewMessage.text("", "x1")));
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.code()).contains(ErrorCode.INVALID_MESSAGE_CONTENT);
        assertThat(empty.details().has("content")).isTrue();
        assertThat(empty.requestId()).isNotBlank();

        SpeechBotException missing = catchThrowableOfType(SpeechBotException.class, () -> a.getChat("chat_999999999"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.is(ErrorCode.CHAT_NOT_FOUND)).isTrue();
    }

    @Test
    void anExpiredTokenIsReplacedByAFreshOneFromTheSupplier() {
        String user = ClientTestServer.newUser("carol");
        AtomicInteger asked = new AtomicInteger();
        SpeechBotClient c = SpeechBotClient.builder().baseUrl(server.baseUrl())
                .tokenSupplier(() -> asked.getAndIncrement() == 0 ? server.expiredToken(user) : server.token(user))
                .build();

        assertThat(c.createChat("fresh token", false).ownerId()).isEqualTo(user);
        assertThat(asked.get()).isEqualTo(2);

        SpeechBotClient stale = SpeechBotClient.builder().baseUrl(server.baseUrl()).token(server.expiredToken(user)).build();
        assertThat(catchThrowableOfType(SpeechBotException.class, () -> stale.listChats(1, 0)).is(ErrorCode.TOKEN_EXPIRED))
                .isTrue();
    }
}
