package com.speechbot.server.hub;

import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.metrics.ChatMeters;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection subscribed to one chat. Everything here runs on the connection's own event loop.
 * It applies the slow-consumer tiers: typing is dropped and bot chunks are merged while the channel is unwritable;
 * essential events are queued, and a subscriber that stays unwritable past the bound is closed with 1013.
 * While a resume replay is running, live events are held and then sent without the ones the replay covered.
 */
public final class Subscriber {

    /** Close code for "try again later": the client reconnects and resumes. */
    public static final int CLOSE_TRY_AGAIN_LATER = 1013;

    private final Channel channel;
    private final String userId;
    private final long chat;
    private final ChatMeters meters;
    private final ServerConfig.WebSocket limits;
    private final LoopFlusher flusher;

    boolean dirty;
    /**
     * Bytes written since {@link LoopFlusher} last flushed this channel: the socket has not been offered them yet, so
     * they are not a backlog (a burst or a group-committed batch may exceed the bound without the client being slow).
     */
    long unflushedBytes;
    private int lastChunkIndex = -1;
    private boolean replaying;
    private final ArrayDeque<OutboundEvent> held = new ArrayDeque<>();
    private long heldBytes;
    private long replayedUpTo;
    private long unwritableSinceNanos;
    private boolean closing;
    private MergedChunk merged;

    Subscriber(Channel channel, String userId, long chat, ChatMeters meters, ServerConfig.WebSocket limits, LoopFlusher flusher) {
        this.channel = channel;
        this.userId = userId;
        this.chat = chat;
        this.meters = meters;
        this.limits = limits;
        this.flusher = flusher;
    }

    public Channel channel() {
        return channel;
    }

    public String userId() {
        return userId;
    }

    public long chat() {
        return chat;
    }

    /** The last bot chunk index the client says it has (resume), or -1. */
    public int lastChunkIndex() {
        return lastChunkIndex;
    }

    public void lastChunkIndex(int index) {
        lastChunkIndex = index;
    }

    /** Holds live events until {@link #endReplay} (called before the replay is read from the store). */
    public void beginReplay() {
        replaying = true;
    }

    public boolean replaying() {
        return replaying;
    }

    /** The replay covered every message up to {@code upToSeq}: release the held live events, minus duplicates. */
    void endReplay(long upToSeq) {
        replaying = false;
        replayedUpTo = Math.max(replayedUpTo, upToSeq);
        OutboundEvent e;
        while ((e = held.poll()) != null) {
            try {
                deliver(e);
            } finally {
                e.release();
            }
        }
        heldBytes = 0;
    }

    /** Writes an event to this connection alone, bypassing the replay hold (replayed messages, direct replies). */
    void writeDirect(OutboundEvent event) {
        try {
            write(event);
        } finally {
            event.release();
        }
    }

    /**
     * Delivers a live event; does not consume the caller's reference. Returns whether a frame was written.
     */
    boolean deliver(OutboundEvent event) {
        if (closing || !channel.isActive()) {
            return false;
        }
        if (replaying) {
            heldBytes += event.bytes();
            if (heldBytes > limits.maxPendingBytes()) {
                closeSlow();
                return false;
            }
            held.add(event.retain());
            return false;
        }
        if (event.seq() > 0 && event.seq() <= replayedUpTo) {
            return false; // the replay already sent this message
        }
        return write(event);
    }

    private boolean write(OutboundEvent event) {
        if (!channel.isWritable()) {
            if (unwritableSinceNanos == 0) {
                unwritableSinceNanos = System.nanoTime();
            }
            switch (event.kind()) {
                case TYPING -> {
                    meters.typingDropped();
                    return false;
                }
                case CHUNK -> {
                    mergeChunk(event);
                    return false;
                }
                default -> {
                    if (overBound()) {
                        closeSlow();
                        return false;
                    }
                }
            }
        }
        if (merged != null && event.kind() != OutboundEvent.Kind.TYPING) {
            // The merged bot text goes first: an essential event after it (the closing chunk with is_complete,
            // message_updated, an error) must not overtake it, even while unwritable.
            flushMerged();
        }
        channel.write(event.frameForWrite(), channel.voidPromise());
        unflushedBytes += event.bytes();
        flusher.markDirty(this);
        return true;
    }

    /** Stuck past the timeout, or more queued than the bound that a flush could not hand to the socket. */
    private boolean overBound() {
        long pending = channel.bytesBeforeWritable() + limits.writeBufferLowBytes();
        return pending - unflushedBytes > limits.maxPendingBytes()
                || System.nanoTime() - unwritableSinceNanos > TimeUnit.MILLISECONDS.toNanos(limits.slowConsumerTimeoutMs());
    }

    /** Called by the connection's handler when the channel's writability changed. */
    public void writabilityChanged() {
        if (channel.isWritable()) {
            unwritableSinceNanos = 0;
            if (merged != null) {
                flushMerged();
                flusher.markDirty(this);
            }
        } else if (unwritableSinceNanos == 0) {
            unwritableSinceNanos = System.nanoTime();
        }
    }

    private void mergeChunk(OutboundEvent event) {
        ServerEvent.BotResponseChunk c = (ServerEvent.BotResponseChunk) event.payload();
        meters.chunkMerged();
        if (merged != null && !merged.messageId.equals(c.messageId())) {
            flushMerged(); // another message's stream: keep the first one's text intact
        }
        if (merged == null) {
            merged = new MergedChunk(c.messageId());
        }
        merged.text.append(c.chunk());
        merged.lastIndex = c.chunkIndex();
        merged.complete = c.isComplete();
    }

    private void flushMerged() {
        MergedChunk m = merged;
        merged = null;
        OutboundEvent e = OutboundEvent.encode(channel.alloc(),
                ServerEvent.chunk(m.messageId, m.text.toString(), m.lastIndex, m.complete), OutboundEvent.Kind.ESSENTIAL, 0);
        try {
            channel.write(e.frameForWrite(), channel.voidPromise());
            unflushedBytes += e.bytes();
        } finally {
            e.release();
        }
    }

    /** Closes with 1013 so the client reconnects and resumes instead of us buffering without bound. */
    void closeSlow() {
        if (closing) {
            return;
        }
        closing = true;
        meters.slowConsumerClosed();
        channel.writeAndFlush(new CloseWebSocketFrame(CLOSE_TRY_AGAIN_LATER, "slow consumer: reconnect and resume"));
        // The close frame waits behind the backlog; do not wait for a consumer that is not reading.
        channel.eventLoop().schedule(() -> {
            channel.close();
        }, 500, TimeUnit.MILLISECONDS);
    }

    /** Releases what this subscriber still holds; called when it leaves. */
    void dispose() {
        OutboundEvent e;
        while ((e = held.poll()) != null) {
            e.release();
        }
        merged = null;
    }

    /** Chunks of one bot message merged into one delta for a subscriber that could not keep up. */
    private static final class MergedChunk {
        final String messageId;
        final StringBuilder text = new StringBuilder();
        int lastIndex;
        boolean complete;

        MergedChunk(String messageId) {
            this.messageId = messageId;
        }
    }

}
