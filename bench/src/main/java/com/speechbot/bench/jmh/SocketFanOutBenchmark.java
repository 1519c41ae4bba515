package com.speechbot.bench.jmh;

import com.speechbot.protocol.Ids;
import com.speechbot.protocol.codec.Json;
import com.speechbot.protocol.event.ServerEvent;
import com.speechbot.server.SpeechBotServer;
import com.speechbot.server.config.ConfigLoader;
import com.speechbot.server.hub.OutboundEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chunk fan-out over real loopback sockets: a full server (embedded PostgreSQL, epoll), N WebSocket clients in one
 * chat, and the time from a bot chunk entering the chat's hub to the last client having read its frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SocketFanOutBenchmark {

    @Param({"1", "10", "100", "1000"})
    public int subscribers;

    private Path dataDir;
    private SpeechBotServer server;
    private EventLoopGroup clients;
    private final List<Channel> channels = new ArrayList<>();
    private final Receipts receipts = new Receipts();
    private long chat;
    private int chunkIndex;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dataDir = Files.createTempDirectory("speechbot-jmh-");
        server = SpeechBotServer.start(ConfigLoader.load(Map.of("SPEECHBOT_DATA_DIR", dataDir.toString(),
                "SPEECHBOT_PORT", "0", "SPEECHBOT_HOST", "127.0.0.1", "SPEECHBOT_LOG_LEVEL", "WARN")));
        String token = server.tokens().mint("member", Duration.ofHours(2));
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/chats"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"jmh\",\"bot_enabled\":false}")).build(),
                HttpResponse.BodyHandlers.ofString());
        String chatId = Json.readTree(created.body()).at("/data/chat/id").asText();
        chat = Ids.parseChatId(chatId).orElseThrow();
        clients = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/v1/chats/" + chatId + "/ws?token=" + token);
        Bootstrap b = new Bootstrap().group(clients).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                new WebSocketClientProtocolHandler(uri, WebSocketVersion.V13, null, false,
                                        new DefaultHttpHeaders(), 1 << 20),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                        receipts.received();
                                    }
                                });
                    }
                });
        for (int i = 0; i < subscribers; i++) {
            channels.add(b.connect("127.0.0.1", server.port()).sync().channel());
        }
        // Joining completes asynchronously after each handshake: probe until every client receives a frame.
        for (int attempt = 0; ; attempt++) {
            try {
                Thread.sleep(200);
                receipts.expect(subscribers);
                server.hubs().publish(chat, ServerEvent.chunk("msg_probe", "", 0, false), OutboundEvent.Kind.ESSENTIAL);
                receipts.await(2_000);
                break;
            } catch (IllegalStateException notYet) {
                if (attempt > 20) {
                    throw notYet;
                }
                Thread.sleep(500); // let stray probe frames drain before counting again
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        channels.forEach(Channel::close);
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        server.close();
        try (var walk = Files.walk(dataDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int chunkToAllSockets() {
        receipts.expect(subscribers);
        server.hubs().publish(chat, ServerEvent.chunk("msg_bench_1", "token ", chunkIndex++, false),
                OutboundEvent.Kind.CHUNK);
        receipts.await(10_000);
        return subscribers;
    }
}
