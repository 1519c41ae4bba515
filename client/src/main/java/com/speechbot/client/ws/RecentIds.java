package com.speechbot.client.ws;

import java.util.LinkedHashMap;
import java.util.Map;

/** The ids of the last messages delivered, to drop a second copy (an idempotent retry's answer racing its broadcast). */
final class RecentIds {

    private final Map<String, Boolean> ids;

    RecentIds(int capacity) {
        this.ids = new LinkedHashMap<>(capacity * 2, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Records {@code id}; false when it was already there. */
    boolean add(String id) {
        return ids.put(id, Boolean.TRUE) == null;
    }
}
