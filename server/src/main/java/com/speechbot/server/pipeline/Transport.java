package com.speechbot.server.pipeline;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;

/**
 * The Netty transport of the listener ({@code server.transport}): {@code auto} takes epoll where the native library
 * loads and NIO elsewhere; {@code io_uring} (Linux 5.x+, submits a loop turn's socket writes in one system call) and
 * {@code epoll} / {@code nio} can be asked for by name. A transport asked for by name that cannot load is a startup
 * error, not a silent fallback.
 */
public record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel) {

    public static Transport select(String wanted) {
        String w = wanted == null ? "auto" : wanted.trim().toLowerCase(Locale.ROOT);
        return switch (w) {
            case "auto" -> Epoll.isAvailable() ? epoll() : nio();
            case "epoll" -> {
                Epoll.ensureAvailability();
                yield epoll();
            }
            case "io_uring" -> {
                IoUring.ensureAvailability();
                yield new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            }
            case "nio" -> nio();
            default -> throw new IllegalArgumentException("unknown transport " + wanted); // ServerConfig checks it
        };
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
