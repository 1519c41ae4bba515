package com.speechbot.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty side of the tool: one event-loop group (epoll when the native transport loads, NIO otherwise) for every
 * socket, each bound to a source address 127.0.0.(1 + i % source-ips) so thousands of sockets to one server port do
 * not exhaust one address's ephemeral ports. With epoll, IP_BIND_ADDRESS_NO_PORT defers the port choice to
 * connect(), so a port is only unique per 4-tuple.
 */
final class WsClient implements AutoCloseable {

    static final String IO_THREAD_PREFIX = "load-io";

    private final Options options;
    private final boolean epoll;
    private final EventLoopGroup group;
    private final Bootstrap template;
    private final InetSocketAddress remote;
    final ConnectionStats stats = new ConnectionStats();

    WsClient(Options options) {
        this.options = options;
        this.epoll = !options.nio && Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads, new DefaultThreadFactory(IO_THREAD_PREFIX, true), io);
        this.remote = new InetSocketAddress(options.remoteAddress, options.remotePort);
        Bootstrap b = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, false)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, options.connectTimeoutSeconds * 1000);
        if (epoll) {
            b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        this.template = b;
    }

    String transport() {
        return epoll ? "epoll" : "nio";
    }

    EventLoopGroup group() {
        return group;
    }

    /** Opens {@code conn}'s socket and completes once the WebSocket handshake is done. */
    CompletableFuture<WsConnection> connect(WsConnection conn, URI uri, WsListener listener) {
        CompletableFuture<WsConnection> connected = new CompletableFuture<>();
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, EmptyHttpHeaders.INSTANCE, 1 << 20);
        long timeoutMs = TimeUnit.SECONDS.toMillis(options.connectTimeoutSeconds);
        Bootstrap b = template.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("http", new HttpClientCodec(4096, 16384, 16384));
                ch.pipeline().addLast("http-aggregator", new HttpObjectAggregator(64 * 1024));
                ch.pipeline().addLast("ws", new WsClientHandler(handshaker, conn, listener, stats, connected, timeoutMs));
            }
        });
        InetSocketAddress local = new InetSocketAddress(Loopback.source(conn.index, options.sourceIps), 0);
        ChannelFuture f = b.connect(remote, local);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                Throwable c = done.cause();
                connected.completeExceptionally(new WsClientHandler.HandshakeFailure(
                        "connect failed: " + (c == null ? "?" : c.getClass().getSimpleName() + ": " + c.getMessage())));
            }
        });
        return connected;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
