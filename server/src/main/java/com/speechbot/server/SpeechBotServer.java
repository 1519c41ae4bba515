package com.speechbot.server;

import com.speechbot.server.auth.JwtSecrets;
import com.speechbot.server.auth.TokenService;
import com.speechbot.server.chat.ChatService;
import com.speechbot.server.chat.ChatStore;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.http.AttachmentsResource;
import com.speechbot.server.http.ChatsResource;
import com.speechbot.server.http.ConsoleResource;
import com.speechbot.server.http.DevTokenResource;
import com.speechbot.server.http.MessagesResource;
import com.speechbot.server.http.OpsResource;
import com.speechbot.server.http.OpenApiResource;
import com.speechbot.server.http.Router;
import com.speechbot.server.bot.BotStore;
import com.speechbot.server.bot.Responders;
import com.speechbot.server.hub.BotContext;
import com.speechbot.server.hub.HubRegistry;
import com.speechbot.server.logging.Progress;
import com.speechbot.server.metrics.BotMeters;
import com.speechbot.server.metrics.ChatMeters;
import com.speechbot.server.ws.WebSocketEndpoint;
import com.speechbot.server.message.MessageService;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.message.SendCommandParser;
import com.speechbot.server.metrics.ServerMetrics;
import com.speechbot.server.pipeline.ChatServerInitializer;
import com.speechbot.server.pipeline.HttpServices;
import com.speechbot.server.pipeline.Lifecycle;
import com.speechbot.server.pipeline.RequestIds;
import com.speechbot.server.pipeline.Transport;
import com.speechbot.server.store.Database;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: builds every part from the config, binds the listener, and shuts down in order. */
public final class SpeechBotServer implements AutoCloseable {

    /** How old a question left unanswered by a stop may be and still be answered after the restart. */
    private static final Duration RESUME_WINDOW = Duration.ofMinutes(10);

    private static final Logger log = LoggerFactory.getLogger(SpeechBotServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final Database db;
    private final TokenService tokens;
    private final Lifecycle lifecycle = new Lifecycle();
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final HubRegistry hubs;
    private final Channel serverChannel;
    private final Router router;
    private final int port;
    private boolean closed;

    private SpeechBotServer(ServerConfig config, java.util.Deque<AutoCloseable> undo) throws Exception {
        this.config = config;
        long started = System.nanoTime();
        this.metrics = new ServerMetrics();
        undo.push(metrics);
        JwtSecrets.Secret secret = JwtSecrets.loadOrCreate(config.dataDir(), config.jwt().secret());
        if (secret.generated()) {
            log.info("generated a development JWT secret in {}", config.dataDir().resolve(JwtSecrets.FILE_NAME));
        }
        this.tokens = new TokenService(secret.bytes(), readPem(config.jwt().rsaPublicKeyFile()), blankToNull(config.jwt().issuer()));
        ServerConfig.Database dbc = config.database();
        this.db = Database.open(blankToNull(dbc.url()), dbc.user(), dbc.password(), dbc.poolSize(), config.dataDir());
        undo.push(db);
        db.dataSource().setMetricRegistry(metrics.registry());

        Transport transport = Transport.select(config.server().transport());
        IoHandlerFactory io = transport.ioHandlers();
        Class<? extends ServerChannel> channelType = transport.serverChannel();
        this.bossGroup = new MultiThreadIoEventLoopGroup(1, io);
        // One loop per core, not Netty's default of two: loops never block, and more of them than cores only adds
        // context switches to a fan-out (measured: 1,000-member fan-out p50 11.5 -> 10.0 ms on 2 cores).
        int loops = config.server().ioThreads() > 0 ? config.server().ioThreads() : Runtime.getRuntime().availableProcessors();
        this.workerGroup = new MultiThreadIoEventLoopGroup(loops, io);
        undo.push(() -> bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
        undo.push(() -> workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());

        Router router = new Router();
        this.router = router;
        new OpsResource(db, metrics).register(router);
        // "Dev login" only while running on the generated development secret: it mints tokens for anyone.
        boolean devLogin = blankToNull(config.jwt().secret()) == null && blankToNull(config.jwt().rsaPublicKeyFile()) == null;
        new ConsoleResource(devLogin).register(router);
        new OpenApiResource().register(router);
        new DevTokenResource(tokens, devLogin, Duration.ofSeconds(config.jwt().defaultTtlSeconds())).register(router);
        if (devLogin) {
            log.warn("no jwt.secret configured: using the generated development secret, and POST {} mints a token for"
                    + " any user (the console's dev login); set SPEECHBOT_JWT_SECRET in production", DevTokenResource.PATH);
        }
        MessageStore messageStore = new MessageStore(db.jdbi(), config.limits(), config.publicBaseUrl(), Clock.systemUTC());
        BotStore botStore = new BotStore(db.jdbi());
        int interrupted = botStore.failInterrupted();
        if (interrupted > 0) {
            log.warn("{} bot answers were interrupted by the previous stop; stored as failed", interrupted);
        }
        BotContext bot = new BotContext(Responders.create(config.bot()), botStore, messageStore, db.executor(), config.bot(),
                new BotMeters(metrics.registry()));
        this.hubs = new HubRegistry(workerGroup, messageStore, db.executor(), new ChatMeters(metrics.registry()),
                config.websocket(), bot, new ChatStore(db.jdbi())::members);
        resumeUnansweredQuestions(hubs);
        ChatService chats = new ChatService(db.jdbi(), db.executor(), config.limits(), hubs);
        new ChatsResource(chats, config.limits()).register(router);
        MessageService messages = new MessageService(messageStore, db.executor(), hubs, hubs::send);
        SendCommandParser parser = new SendCommandParser(config.limits());
        new MessagesResource(messages, parser).register(router);
        new AttachmentsResource(messages).register(router);
        router.addUpgrade(WebSocketEndpoint.PATH,
                new WebSocketEndpoint(chats, messageStore, parser, hubs, db.executor(), config.websocket()));
        HttpServices services = new HttpServices(router, tokens, new RequestIds(), lifecycle, metrics);
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        config.websocket().writeBufferLowBytes(), config.websocket().writeBufferHighBytes()))
                .childHandler(new ChatServerInitializer(config.server(), services));
        this.serverChannel = b.bind(config.server().host(), config.server().port()).sync().channel();
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
        log.info("SpeechBot Realtime ready on http://{}:{} ({} transport, {} database, started in {} ms)",
                config.server().host(), port, transport.name(), db.isEmbedded() ? "embedded" : "external",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /**
     * Before the listener opens: questions the previous process left in the bots' queues (asked within the last
     * {@link #RESUME_WINDOW}) are queued again, so they are answered in order before anything new.
     */
    private static void resumeUnansweredQuestions(HubRegistry hubs) {
        try {
            int resumed = hubs.resumeUnansweredQuestions(RESUME_WINDOW).get(30, TimeUnit.SECONDS);
            if (resumed > 0) {
                log.info("{} questions left unanswered by the previous stop are queued for the bot again", resumed);
            }
        } catch (Exception e) {
            log.warn("could not look for questions left unanswered by the previous stop", e);
        }
    }

    /** Starts a server; on failure everything started so far (the embedded database included) is stopped again. */
    public static SpeechBotServer start(ServerConfig config) throws Exception {
        java.util.Deque<AutoCloseable> undo = new java.util.ArrayDeque<>();
        try {
            return new SpeechBotServer(config, undo);
        } catch (Exception | Error e) {
            for (AutoCloseable c : undo) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public TokenService tokens() {
        return tokens;
    }

    /** The chat hubs (benchmarks publish through them directly). */
    public HubRegistry hubs() {
        return hubs;
    }

    public Database database() {
        return db;
    }

    public ServerConfig config() {
        return config;
    }

    /** The routes this server serves (read-only once started). */
    public Router router() {
        return router;
    }

    /**
     * Graceful stop: refuse new connections, let in-flight requests finish (bounded by the grace period), close
     * WebSockets with 1001, then stop the event loops and the database.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("shutting down: no new connections, finishing {} in-flight requests", lifecycle.inFlight());
        lifecycle.startDraining();
        serverChannel.close().awaitUninterruptibly();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.server().shutdownGraceSeconds());
        try (Progress progress = Progress.start(log, "finishing in-flight requests")) {
            while (lifecycle.inFlight() > 0 && System.nanoTime() < deadline) {
                sleepQuietly(10);
            }
        }
        hubs.closeAll(1001, "server shutting down");
        long closeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (hubs.meters().openConnections() > 0 && System.nanoTime() < closeDeadline) {
            sleepQuietly(10); // the close frames are on their way; clients close, connections drop
        }
        lifecycle.connections().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        try (Progress progress = Progress.start(log, "stopping the database")) {
            db.close();
        }
        metrics.close();
        log.info("SpeechBot Realtime stopped");
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readPem(String file) throws IOException {
        return file == null || file.isBlank() ? null : Files.readString(Path.of(file));
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
