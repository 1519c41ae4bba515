package com.speechbot.client.ws;

import com.speechbot.client.outbox.InMemoryOutboxStore;
import com.speechbot.client.outbox.OutboxStore;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/** How a {@link ChatConnection} behaves; every setting has a default. Not thread-safe: configure, then connect. */
public final class ConnectionOptions {

    Executor executor;
    Consumer<ChatEvent> onEvent = e -> { };
    Consumer<GivenUp> onGiveUp = g -> { };
    OutboxStore outbox = new InMemoryOutboxStore();
    Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));
    Duration slowConsumerBackoff = Duration.ofSeconds(2);
    Duration heartbeatInterval = Duration.ofSeconds(15);
    Duration heartbeatTimeout = Duration.ofSeconds(45);
    int maxSendFailures = 5;
    Duration maxQueueAge = Duration.ofDays(1);
    Duration typingRefresh = Duration.ofSeconds(3);
    Duration typingIdle = Duration.ofSeconds(4);
    String resumeAfter;

    private ConnectionOptions() {}

    public static ConnectionOptions defaults() {
        return new ConnectionOptions();
    }

    /** Runs the listeners, one event at a time in order (default: one thread per connection). */
    public ConnectionOptions executor(Executor value) {
        this.executor = value;
        return this;
    }

    public ConnectionOptions onEvent(Consumer<ChatEvent> listener) {
        this.onEvent = listener;
        return this;
    }

    /** Called for a queued send that is dropped; its future fails too. */
    public ConnectionOptions onGiveUp(Consumer<GivenUp> listener) {
        this.onGiveUp = listener;
        return this;
    }

    /** Where unconfirmed sends are kept; a {@code FileOutboxStore} makes them survive an app restart. */
    public ConnectionOptions outbox(OutboxStore store) {
        this.outbox = store;
        return this;
    }

    public ConnectionOptions backoff(Duration initial, Duration max) {
        this.backoff = new Backoff(initial, max);
        return this;
    }

    /** The least wait after a 1013 (slow consumer) close. */
    public ConnectionOptions slowConsumerBackoff(Duration value) {
        this.slowConsumerBackoff = value;
        return this;
    }

    /** A {@code ping} after {@code interval}; the socket is dropped and reopened when nothing arrives for {@code timeout}. */
    public ConnectionOptions heartbeat(Duration interval, Duration timeout) {
        this.heartbeatInterval = interval;
        this.heartbeatTimeout = timeout;
        return this;
    }

    /** Transient server refusals (e.g. SERVICE_UNAVAILABLE) a send survives before it is given up (default 5). */
    public ConnectionOptions maxSendFailures(int value) {
        this.maxSendFailures = value;
        return this;
    }

    /** A queued send older than this is given up instead of sent (default one day). */
    public ConnectionOptions maxQueueAge(Duration value) {
        this.maxQueueAge = value;
        return this;
    }

    /** Typing: {@code is_typing: true} at most once per {@code refresh}; {@code false} after {@code idle} without typing. */
    public ConnectionOptions typing(Duration refresh, Duration idle) {
        this.typingRefresh = refresh;
        this.typingIdle = idle;
        return this;
    }

    /** The newest message id the app already holds (e.g. loaded over REST): the first connect resumes after it. */
    public ConnectionOptions resumeAfter(String messageId) {
        this.resumeAfter = messageId;
        return this;
    }

    ConnectionOptions copy() {
        ConnectionOptions c = new ConnectionOptions();
        c.executor = executor;
        c.onEvent = onEvent;
        c.onGiveUp = onGiveUp;
        c.outbox = outbox;
        c.backoff = backoff;
        c.slowConsumerBackoff = slowConsumerBackoff;
        c.heartbeatInterval = heartbeatInterval;
        c.heartbeatTimeout = heartbeatTimeout;
        c.maxSendFailures = maxSendFailures;
        c.maxQueueAge = maxQueueAge;
        c.typingRefresh = typingRefresh;
        c.typingIdle = typingIdle;
        c.resumeAfter = resumeAfter;
        return c;
    }
}
