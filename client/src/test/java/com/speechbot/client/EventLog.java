package com.speechbot.client;

import com.speechbot.client.ws.ChatEvent;
import com.speechbot.protocol.MessageView;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Records what a connection reports, for assertions (with Awaitility) from the test thread. */
final class EventLog implements Consumer<ChatEvent> {

    final List<ChatEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(ChatEvent e) {
        events.add(e);
    }

    <T extends ChatEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<MessageView> newMessages() {
        return of(ChatEvent.NewMessage.class).stream().map(ChatEvent.NewMessage::message).toList();
    }

    List<String> contents() {
        return newMessages().stream().map(MessageView::content).toList();
    }

    boolean live() {
        return !of(ChatEvent.Connected.class).isEmpty();
    }
}
