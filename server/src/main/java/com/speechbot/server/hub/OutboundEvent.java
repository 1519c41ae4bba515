package com.speechbot.server.hub;

import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One server event encoded once into a complete WebSocket text frame (header and JSON payload in one buffer) and
 * shared by all recipients: each write takes a {@code retainedDuplicate()} of the bytes, which the frame encoder passes
 * through untouched — no per-recipient header allocation or payload copy. Whoever holds a reference to this object
 * releases it once.
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

    /** Room for the largest server frame header: 2 bytes + 8 length bytes (server frames are never masked). */
    private static final int MAX_HEADER = 10;
    private static final int FIN_TEXT = 0x81;

    private final ByteBuf frame;
    private final String type;
    private final Kind kind;
    private final long seq;
    private final long createdNanos;
    private final Object payload;

    private OutboundEvent(ByteBuf frame, String type, Kind kind, long seq, Object payload) {
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
        buf.writerIndex(MAX_HEADER); // the payload goes first; its header is written in front of it afterwards
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            Json.mapper().writeValue((java.io.OutputStream) out, event);
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        int length = buf.writerIndex() - MAX_HEADER;
        int start;
        if (length <= 125) {
            start = MAX_HEADER - 2;
            buf.setByte(start + 1, length);
        } else if (length <= 0xFFFF) {
            start = MAX_HEADER - 4;
            buf.setByte(start + 1, 126);
            buf.setShort(start + 2, length);
        } else {
            start = 0;
            buf.setByte(1, 127);
            buf.setLong(2, length);
        }
        buf.setByte(start, FIN_TEXT);
        buf.readerIndex(start);
        return new OutboundEvent(buf, event.type(), kind, seq, event.data());
    }

    /** The encoded frame for one more write; the write consumes it. */
    public ByteBuf frameForWrite() {
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
        return frame.readableBytes();
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
