package com.speechbot.bench.load;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * One simulated client socket: member {@code member} of {@code chat}. Scenario state hangs off {@link #state} and,
 * like everything the listener does, is only touched on this connection's event loop.
 */
final class WsConnection {

    final int index;
    final ChatPlan chat;
    final int member;
    final String userId;
    final InboundEvent scratch = new InboundEvent();

    volatile Channel channel;
    volatile boolean closing;
    Object state;

    WsConnection(int index, ChatPlan chat, int member) {
        this.index = index;
        this.chat = chat;
        this.member = member;
        this.userId = chat.userIds().get(member);
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive() && !closing;
    }

    /** Writes one text frame; a send on a closed socket is dropped (the run counts what arrives). */
    boolean send(String json) {
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            return false;
        }
        ch.writeAndFlush(new TextWebSocketFrame(json), ch.voidPromise());
        return true;
    }

    /** Normal closure (1000); the socket is closed once the frame is written. */
    void close() {
        closing = true;
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(new CloseWebSocketFrame(1000, "load run finished")).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
