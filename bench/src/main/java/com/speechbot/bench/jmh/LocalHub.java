package com.speechbot.bench.jmh;

import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.hub.HubRegistry;
import com.speechbot.server.hub.Subscriber;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.metrics.ChatMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * A hub registry whose subscribers are in-memory Netty channels (local transport): frames travel as objects to the
 * peer, so what is measured is the hub, the per-loop hand-off and the channel pipelines, without kernel sockets.
 */
final class LocalHub implements AutoCloseable {

    static final ServerConfig.WebSocket WS = new ServerConfig.WebSocket(1 << 20, 256 * 1024, 1 << 20, 5_000,
            8L << 20, 30, 60, 5_000, true);

    final EventLoopGroup hubLoops = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    final EventLoopGroup clientLoop = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    final HubRegistry registry;
    final Receipts receipts = new Receipts();
    final List<Subscriber> subscribers = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();
    private final Channel server;

    LocalHub(MessageStore store, Executor db, ServerConfig.WebSocket ws) throws InterruptedException {
        registry = new HubRegistry(hubLoops, store, db, new ChatMeters(new SimpleMeterRegistry()), ws, null, null);
        LocalAddress address = new LocalAddress("hub-" + System.nanoTime());
        ConcurrentHashMap<Channel, Boolean> accepted = new ConcurrentHashMap<>();
        // Bursts are written before the loop's flush runs; generous water marks keep the in-memory peers writable, so
        // the slow-consumer tiers (typing dropped while unwritable) do not kick in and every frame is counted.
        server = new ServerBootstrap().group(hubLoops).channel(LocalServerChannel.class)
                .childOption(io.netty.channel.ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new io.netty.channel.WriteBufferWaterMark(8 << 20, 16 << 20))
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        accepted.put(ch, true);
                    }
                }).bind(address).sync().channel();
        this.address = address;
        this.accepted = accepted;
    }

    private final LocalAddress address;
    private final ConcurrentHashMap<Channel, Boolean> accepted;

    /** Connects {@code n} subscribers of {@code user} to {@code chat} and waits until all of them receive live events. */
    void subscribe(long chat, String user, int n) throws InterruptedException {
        Bootstrap client = new Bootstrap().group(clientLoop).channel(LocalChannel.class)
                .handler(new CountingHandler());
        for (int i = 0; i < n; i++) {
            channels.add(client.connect(address).sync().channel());
        }
        while (accepted.size() < channels.size()) {
            Thread.sleep(1);
        }
        CountDownLatch live = new CountDownLatch(n);
        List<Channel> serverSide = new ArrayList<>(accepted.keySet());
        accepted.clear();
        for (Channel ch : serverSide) {
            Subscriber s = registry.newSubscriber(ch, user, chat);
            subscribers.add(s);
            registry.join(s, live::countDown);
        }
        if (!live.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("subscribers did not join");
        }
    }

    /**
     * Counts and releases every frame a subscriber's peer receives; shared by all peers (its only state is atomic).
     * The local transport may hand several written buffers over as one, so frames are counted by walking their
     * headers (the hub writes whole, unmasked frames).
     */
    @io.netty.channel.ChannelHandler.Sharable
    private final class CountingHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                receipts.received(msg instanceof io.netty.buffer.ByteBuf buf ? frames(buf) : 1);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private int frames(io.netty.buffer.ByteBuf buf) {
            int frames = 0;
            long i = buf.readerIndex();
            while (i < buf.writerIndex()) {
                int len7 = buf.getByte((int) i + 1) & 0x7F;
                long header = len7 <= 125 ? 2 : len7 == 126 ? 4 : 10;
                long length = len7 <= 125 ? len7 : len7 == 126 ? buf.getUnsignedShort((int) i + 2) : buf.getLong((int) i + 2);
                i += header + length;
                frames++;
            }
            return frames;
        }
    }

    @Override
    public void close() {
        // Close the peers and let the hubs process the leaves before their loops stop.
        channels.forEach(c -> c.close().syncUninterruptibly());
        subscribers.forEach(s -> s.channel().close().syncUninterruptibly());
        server.close().syncUninterruptibly();
        clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        hubLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
