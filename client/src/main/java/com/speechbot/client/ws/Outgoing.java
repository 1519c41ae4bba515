package com.speechbot.client.ws;

import com.speechbot.protocol.MessageView;
import java.util.concurrent.CompletableFuture;

/**
 * A send as the app sees it: {@code local} is the optimistic copy to show now (id = {@code client_message_id}, status
 * {@code sending}); {@code stored} completes with the server's copy (also announced as a
 * {@link ChatEvent.NewMessage} with {@code confirmsLocalSend}), or fails when the send is given up.
 */
public record Outgoing(String clientMessageId, MessageView local, CompletableFuture<MessageView> stored) {}
