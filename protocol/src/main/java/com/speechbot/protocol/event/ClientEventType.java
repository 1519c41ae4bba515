package com.speechbot.protocol.event;

import java.util.Optional;

/** The event types a client may send. */
public enum ClientEventType {
    SEND_MESSAGE("send_message"),
    TYPING("typing"),
    MARK_READ("mark_read"),
    CONNECTION_ESTABLISHED("connection_established"),
    RESUME("resume"),
    CANCEL_GENERATION("cancel_generation"),
    PING("ping");

    private final String wireName;

    ClientEventType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<ClientEventType> fromWire(String name) {
        for (ClientEventType t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
