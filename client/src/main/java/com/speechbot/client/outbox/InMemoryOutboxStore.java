package com.speechbot.client.outbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An outbox that lives as long as the process: survives reconnects, not restarts (tests, short-lived tools). */
public final class InMemoryOutboxStore implements OutboxStore {

    private final Map<String, QueuedSend> entries = new LinkedHashMap<>();

    @Override
    public synchronized List<QueuedSend> load(String chatId) {
        List<QueuedSend> out = new ArrayList<>();
        for (QueuedSend s : entries.values()) {
            if (s.chatId().equals(chatId)) {
                out.add(s);
            }
        }
        return out;
    }

    @Override
    public synchronized void put(QueuedSend send) {
        entries.put(send.clientMessageId(), send);
    }

    @Override
    public synchronized void remove(String clientMessageId) {
        entries.remove(clientMessageId);
    }
}
