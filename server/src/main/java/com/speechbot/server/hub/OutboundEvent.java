package com.speechbot.server.hub;

import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One server event encoded once into a text frame and shared by all recipients: each write takes a
 * {@code retainedDuplicate()}; whoever holds a reference to this object releases it once.
 */
public final class OutboundEvent extends AbstractReferenceCounted {

    /** How the slow-consumer policy treats an event. */
    public enum Kind {
        /** Never dropped: new_message, message_status, updates, errors. */
        ESSENTIAL,
        /** Dropped for unwritable subscribers. */
        TYPING,
        /** Merged for unwritable subscribers (bot streaming). */
        CHUNK
    }

    private final TextWebSocketFrame frame;
    private final String type;
    private final Kind kind;
    private final long seq;
    private final long createdNanos;
    private final Object payload;

    private OutboundEvent(TextWebSocketFrame frame, String type, Kind kind, long seq, Object payload) {
        this.frame = frame;
        this.type = type;
        this.kind = kind;
        this.seq = seq;
        this.payload = payload;
        this.createdNanos = System.nanoTime();
    }

    /** Encodes {@code event}; {@code seq} is the message seq for new_message (0 otherwise), used for resume dedup. */
    public static OutboundEvent encode(ByteBufAllocator alloc, ServerEvent event, Kind kind, long seq) {
        ByteBuf buf = alloc.buffer(256);
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            Json.mapper().writeValue((java.io.OutputStream) out, event);
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
        return new OutboundEvent(new TextWebSocketFrame(buf), event.type(), kind, seq, event.data());
    }

    /** A frame for one more write; the caller's write consumes it. */
    public TextWebSocketFrame frameForWrite() {
        return frame.retainedDuplicate();
    }

    public String type() {
        return type;
    }

    public Kind kind() {
        return kind;
    }

    public long seq() {
        return seq;
    }

    public long createdNanos() {
        return createdNanos;
    }

    /** The event's data record (for merging bot chunks). */
    public Object payload() {
        return payload;
    }

    public int bytes() {
        return frame.content().readableBytes();
    }

    @Override
    protected void deallocate() {
        frame.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        frame.touch(hint);
        return this;
    }

    @Override
    public OutboundEvent retain() {
        super.retain();
        return this;
    }
}
