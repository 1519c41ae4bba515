package com.speechbot.client;

import com.speechbot.client.rest.ChatList;
import com.speechbot.client.rest.MemberAdded;
import com.speechbot.client.rest.MemberRemoved;
import com.speechbot.client.rest.MessageQuery;
import com.speechbot.client.rest.NewMessage;
import com.speechbot.client.rest.RestTransport;
import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ConnectionOptions;
import com.speechbot.protocol.ChatView;
import com.speechbot.protocol.DeletionResult;
import com.speechbot.protocol.MessagePage;
import com.speechbot.protocol.MessageView;
import com.speechbot.protocol.ReactionResult;
import com.speechbot.protocol.SentMessage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The SpeechBot API for one user: typed REST calls for chats, members and messages (errors are
 * {@link SpeechBotException}s) and {@link #connect} for a chat's realtime connection.
 *
 * <pre>{@code
 * SpeechBotClient client = SpeechBotClient.builder().baseUrl("https://chat.example.com").tokenSupplier(auth::token).build();
 * ChatConnection chat = client.connect("chat_42", ConnectionOptions.defaults().onEvent(System.out::println));
 * chat.send("Hello!");
 * }</pre>
 */
public final class SpeechBotClient {

    private final URI baseUrl;
    private final Supplier<String> tokens;
    private final HttpClient http;
    private final RestTransport rest;
    private final Duration timeout;

    private SpeechBotClient(Builder b) {
        this.baseUrl = b.baseUrl;
        this.tokens = b.tokens;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.timeout).build();
        this.timeout = b.timeout;
        this.rest = new RestTransport(http, baseUrl, tokens, b.timeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Opens (and keeps open) the chat's WebSocket; see {@link ChatConnection}. */
    public ChatConnection connect(String chatId, ConnectionOptions options) {
        return ChatConnection.open(this, http, tokens, timeout, chatId, options);
    }

    /** {@link #connect(String, ConnectionOptions)} with the defaults (an in-memory outbox, events on their own thread). */
    public ChatConnection connect(String chatId) {
        return connect(chatId, ConnectionOptions.defaults());
    }

    // ---- chats and members

    public ChatView createChat(String title, boolean botEnabled) {
        return rest.call("POST", "/v1/chats", Map.of("title", title, "bot_enabled", botEnabled), ChatData.class).chat();
    }

    public ChatList listChats(int limit, int offset) {
        return rest.call("GET", "/v1/chats?limit=" + limit + "&offset=" + offset, null, ChatList.class);
    }

    public ChatView getChat(String chatId) {
        return rest.call("GET", chatPath(chatId), null, ChatData.class).chat();
    }

    /** Changes the title and/or the bot switch; a null argument leaves that field as it is. */
    public ChatView updateChat(String chatId, String title, Boolean botEnabled) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (title != null) {
            body.put("title", title);
        }
        if (botEnabled != null) {
            body.put("bot_enabled", botEnabled);
        }
        return rest.call("PATCH", chatPath(chatId), body, ChatData.class).chat();
    }

    public MemberAdded addMember(String chatId, String userId) {
        return rest.call("POST", chatPath(chatId) + "/members", Map.of("user_id", userId), MemberAdded.class);
    }

    /** Removes a member (owner only), or leaves when {@code userId} is the caller. */
    public MemberRemoved removeMember(String chatId, String userId) {
        return rest.call("DELETE", chatPath(chatId) + "/members/" + encode(userId), null, MemberRemoved.class);
    }

    // ---- messages

    public MessagePage listMessages(String chatId, MessageQuery query) {
        return rest.call("GET", chatPath(chatId) + "/messages" + query.toQueryString(), null, MessagePage.class);
    }

    /** Sends over REST; idempotent per {@code client_message_id} (a retry answers with the stored copy). */
    public SentMessage sendMessage(String chatId, NewMessage message) {
        return rest.call("POST", chatPath(chatId) + "/messages", message, SentMessage.class);
    }

    public MessageView editMessage(String chatId, String messageId, String content, String editReason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("content", content);
        if (editReason != null) {
            body.put("metadata", Map.of("edit_reason", editReason));
        }
        return rest.call("PUT", messagePath(chatId, messageId), body, MessageData.class).message();
    }

    /** Deletes for me or for everyone ({@code forEveryone}); soft unless {@code hard}. */
    public DeletionResult deleteMessage(String chatId, String messageId, boolean hard, boolean forEveryone) {
        return rest.call("DELETE", messagePath(chatId, messageId) + "?hard_delete=" + hard
                + "&delete_for=" + (forEveryone ? "everyone" : "me"), null, DeletionResult.class);
    }

    public MessageView restoreMessage(String chatId, String messageId) {
        return rest.call("POST", messagePath(chatId, messageId) + "/restore", null, MessageData.class).message();
    }

    public ReactionResult react(String chatId, String messageId, String emoji, boolean add) {
        return rest.call("POST", messagePath(chatId, messageId) + "/reactions",
                Map.of("emoji", emoji, "action", add ? "add" : "remove"), ReactionResult.class);
    }

    /** An attachment's bytes (its {@code id}, as in {@code AttachmentView.id()}). */
    public byte[] downloadAttachment(String attachmentId) {
        return rest.bytes("/v1/attachments/" + encode(attachmentId));
    }

    private static String chatPath(String chatId) {
        return "/v1/chats/" + encode(chatId);
    }

    private static String messagePath(String chatId, String messageId) {
        return chatPath(chatId) + "/messages/" + encode(messageId);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(Objects.requireNonNull(segment), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private record ChatData(ChatView chat) {}

    private record MessageData(MessageView message) {}

    /** Where the server is and how to get a token. */
    public static final class Builder {
        private URI baseUrl;
        private Supplier<String> tokens;
        private HttpClient http;
        private Duration timeout = Duration.ofSeconds(10);

        /** The server's root, e.g. {@code https://chat.example.com} (the {@code /v1} prefix is added by the client). */
        public Builder baseUrl(String url) {
            String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            this.baseUrl = URI.create(u + "/");
            return this;
        }

        /** A fixed token (scripts, tests); apps pass a {@link #tokenSupplier} that refreshes. */
        public Builder token(String token) {
            Objects.requireNonNull(token, "token");
            this.tokens = () -> token;
            return this;
        }

        /** Asked for a token before every request and every (re)connect, and again after {@code TOKEN_EXPIRED}. */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.tokens = Objects.requireNonNull(supplier, "supplier");
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.http = client;
            return this;
        }

        /** Connect and request timeout of REST calls and of the WebSocket handshake (default 10 s). */
        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        public SpeechBotClient build() {
            Objects.requireNonNull(baseUrl, "baseUrl");
            Objects.requireNonNull(tokens, "token or tokenSupplier");
            return new SpeechBotClient(this);
        }
    }
}
