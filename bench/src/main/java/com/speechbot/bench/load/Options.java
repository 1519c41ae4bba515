package com.speechbot.bench.load;

import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Every option of the load tool, parsed and checked once; scenario-specific defaults are applied here. */
final class Options {

    static final String USAGE = """
            Usage: java -jar bench/target/speechbot-load.jar --scenario NAME [options]

            Scenarios:
              fanout    K chats x N members; S senders per chat publish at --rate msgs/s each (or --closed-loop);
                        latency = every member's receipt - send time; delivered events/s
              typing    K chats x N members; every member sends typing{is_typing:true} at --rate/s; typing_indicator/s
              receipts  K chats x N members; member 0 posts --messages, the others mark_read them in order at --rate/s;
                        message_status events/s and mark_read -> author's message_status latency
              sends     --connections C (one chat each unless --members > 1) send_message closed-loop with --window W
                        outstanding; acknowledgements (own new_message echo)/s and ack latency
              idle      --connections C idle sockets held --hold seconds; /metrics heap and ws connections before/after
              realistic K chats x N members, --rate R messages/s per chat spread over the first --senders members
                        (default all); every other member marks each message read as soon as it arrives (delivery
                        ticks and read receipts on); author's time to 'read', server JVM and PostgreSQL CPU per
                        message (with --server-pid and --server-data-dir), our store transactions per message.
                        Rate sweep: --rate 1,2,5 or --rate 1 --sweep 2 [--sweep-steps 8], one --warmup/--duration
                        window per rate, stopping after the step whose read p99 passed --read-p99-bound (50 ms)
              bot       K chats x N members, bot enabled; member 0 prompts, next prompt when the answer completes;
                        time to first bot_response_chunk, inter-chunk gaps, chunks/s (speechbot target only)

            Target:
              --url ws://127.0.0.1:8080     WebSocket base (loopback only: localhost or 127.0.0.0/8)
              --http http://127.0.0.1:8080  REST/metrics base (default: derived from --url)
              --target speechbot|ws-node    server flavour (default speechbot)
              --secret-file PATH            speechbot: <data_dir>/jwt-secret (base64 HS256 key) to mint tokens;
                                            without it SPEECHBOT_JWT_SECRET (raw, as the server reads it) is used
              --issuer ISS                  speechbot: iss claim, when the server is configured with jwt.issuer
              --server-pid PID              sample the server's CPU and RSS from /proc (optional)
              --server-data-dir DIR         speechbot: the server's data dir; its PostgreSQL (postmaster from
                                            DIR/pg/postmaster.pid, and all its processes) is sampled from /proc
              --postgres-pid PID            the same from a postmaster pid
              --server-gc                   idle: full GC in the server JVM (jcmd PID GC.run) before each
                                            heap reading, so heap per connection is live data (needs --server-pid)

            Shape:
              --chats K  --members N  --senders S  --rate R  --closed-loop  --window W  --messages M
              --connections C  --hold SECONDS  --payload BYTES (pad message content)  --think-ms MS (bot)

            Timing (all runs stop by themselves):
              --warmup 3  --duration 10  --drain 2  --ack-timeout 5 (closed loop: resend after) --bot-timeout 20

            Client:
              --io-threads T (default: cores)  --source-ips 8 (127.0.0.1..127.0.0.8)  --nio (no epoll)
              --ramp-concurrency 64  --ramp-rate 0 (connections/s, 0 = unpaced)  --connect-timeout 15
              --quiet (no per-second progress on stderr)  --help

            Output: a human summary, then one line 'RESULT {json}' with every figure and parameter.
            """;

    private static final Set<String> FLAGS = Set.of("closed-loop", "nio", "quiet", "help", "server-gc");
    static final Set<String> SCENARIOS = Set.of("fanout", "typing", "receipts", "sends", "idle", "bot", "realistic");

    final String scenario;
    final Target target;
    final URI wsBase;
    final URI httpBase;
    final Inet4Address remoteAddress;
    final int remotePort;
    final Path secretFile;
    final String issuer;
    final long serverPid;
    final boolean serverGc;
    final Path serverDataDir;
    final long postgresPid;

    final int chats;
    final int members;
    final int senders;
    final double rate;
    /** realistic: the per-chat rate of each measured step (the first is {@link #rate}); null for other scenarios. */
    final RateSteps rateSteps;
    final boolean closedLoop;
    final int window;
    final int messages;
    final int connections;
    final int payload;
    final int thinkMs;

    final int warmupSeconds;
    final int durationSeconds;
    final int drainSeconds;
    final int ackTimeoutSeconds;
    final int botTimeoutSeconds;

    final int ioThreads;
    final int sourceIps;
    final boolean nio;
    final int rampConcurrency;
    final double rampRate;
    final int connectTimeoutSeconds;
    final boolean quiet;

    private Options(Args a) {
        scenario = a.string("scenario", "").toLowerCase(Locale.ROOT);
        if (!SCENARIOS.contains(scenario)) {
            throw new Args.UsageException("--scenario must be one of " + SCENARIOS + (scenario.isEmpty() ? "" : ", got '" + scenario + "'"));
        }
        target = Target.parse(a.string("target", "speechbot"));
        wsBase = uri(a.string("url", "ws://127.0.0.1:8080"), "--url", "ws");
        remoteAddress = Loopback.requireLoopback(wsBase, "--url");
        remotePort = wsBase.getPort() > 0 ? wsBase.getPort() : 80;
        String defaultHttp = "http://" + wsBase.getHost() + ":" + remotePort;
        httpBase = uri(a.string("http", defaultHttp), "--http", "http");
        Loopback.requireLoopback(httpBase, "--http");
        String secret = a.string("secret-file", null);
        secretFile = secret == null ? null : Path.of(secret);
        issuer = a.string("issuer", null);
        serverPid = a.integer("server-pid", 0, 0, Integer.MAX_VALUE);
        serverGc = a.flag("server-gc");
        if (serverGc && serverPid == 0) {
            throw new Args.UsageException("--server-gc needs --server-pid (the server JVM to run jcmd GC.run on)");
        }
        String dataDir = a.string("server-data-dir", null);
        serverDataDir = dataDir == null ? null : Path.of(dataDir);
        postgresPid = a.integer("postgres-pid", 0, 1, Integer.MAX_VALUE);
        if (serverDataDir != null && postgresPid > 0) {
            throw new Args.UsageException("give --server-data-dir or --postgres-pid, not both");
        }

        boolean idle = scenario.equals("idle");
        boolean sends = scenario.equals("sends");
        boolean bot = scenario.equals("bot");
        boolean fanout = scenario.equals("fanout");
        boolean receipts = scenario.equals("receipts");
        boolean realistic = scenario.equals("realistic");
        if (bot && target != Target.SPEECHBOT) {
            throw new Args.UsageException("--scenario bot needs --target speechbot: the ws-node peer has no bot");
        }
        // Options are only read by the scenarios they shape: anything else is reported as unknown for this run.
        connections = idle || sends ? a.integer("connections", idle ? 1000 : 50, 1, 60_000) : 0;
        members = a.integer("members", idle ? 100 : sends ? 1 : 10, 1, 10_000);
        if ((idle || sends) && a.has("chats")) {
            throw new Args.UsageException("--scenario " + scenario + " derives the chats from --connections / --members");
        }
        chats = idle || sends ? Math.max(1, (connections + members - 1) / members)
                : a.integer("chats", bot ? 1 : 10, 1, 100_000);
        senders = fanout || sends || realistic ? a.integer("senders", sends || realistic ? members : 1, 1, members) : 0;
        if (realistic) {
            if (members < 2) {
                throw new Args.UsageException("--scenario realistic needs --members >= 2 (authors and readers)");
            }
            double factor = a.has("sweep") ? a.decimal("sweep", 2, 1.01, 100) : 0;
            int steps = factor > 0 ? a.integer("sweep-steps", 8, 2, 50) : 1;
            rateSteps = RateSteps.parse(a.string("rate", "1"), 0.001, 100_000, factor, steps,
                    a.decimal("read-p99-bound", 50, 0.001, 600_000));
            rate = rateSteps.rate(0);
        } else {
            rateSteps = null;
            rate = fanout || receipts || scenario.equals("typing") ? a.decimal("rate", 1.0, 0.001, 100_000) : 0;
        }
        closedLoop = sends || (fanout && a.flag("closed-loop"));
        window = fanout || sends ? a.integer("window", sends ? 8 : 1, 1, 10_000) : 0;
        if (fanout && !closedLoop && a.has("window")) {
            throw new Args.UsageException("--window only applies with --closed-loop");
        }
        payload = fanout || sends ? a.integer("payload", 0, 0, 1 << 20) : 0;
        thinkMs = bot ? a.integer("think-ms", 0, 0, 60_000) : 0;
        botTimeoutSeconds = bot ? a.integer("bot-timeout", 20, 1, 600) : 0;
        ackTimeoutSeconds = fanout || sends ? a.integer("ack-timeout", 5, 1, 600) : 5;

        warmupSeconds = a.integer("warmup", idle ? 0 : 3, 0, 300);
        durationSeconds = idle ? a.integer("hold", a.integer("duration", 10, 1, 3600), 1, 3600)
                : a.integer("duration", 10, 1, 3600);
        drainSeconds = a.integer("drain", 2, 0, 60);
        // Enough messages that readers walking them at --rate never run out (a receipt never moves back).
        int autoMessages = (int) Math.min(5000, Math.ceil(rate * (warmupSeconds + durationSeconds + drainSeconds + 2)));
        messages = receipts ? a.integer("messages", Math.max(1, autoMessages), 1, 100_000) : 0;

        int cores = Runtime.getRuntime().availableProcessors();
        ioThreads = a.integer("io-threads", cores, 1, 256);
        sourceIps = a.integer("source-ips", 8, 1, 254);
        nio = a.flag("nio");
        rampConcurrency = a.integer("ramp-concurrency", 64, 1, 10_000);
        rampRate = a.decimal("ramp-rate", 0, 0, 1_000_000);
        connectTimeoutSeconds = a.integer("connect-timeout", 15, 1, 300);
        quiet = a.flag("quiet");
        a.rejectUnknown();

        if (totalConnections() > 60_000) {
            throw new Args.UsageException("at most 60000 connections per run, this shape needs " + totalConnections());
        }
    }

    static Options parse(String[] argv) {
        Args a = new Args(argv, FLAGS);
        if (a.flag("help")) {
            return null;
        }
        return new Options(a);
    }

    /** Sockets the scenario opens: one per (chat, member), idle and sends included (chats derived from C / N). */
    int totalConnections() {
        return chats * members;
    }

    URI wsUri(String chatId, String token) {
        String base = wsBase.getRawPath() == null ? "" : wsBase.getRawPath().replaceAll("/+$", "");
        return URI.create(wsBase.getScheme() + "://" + wsBase.getHost() + ":" + remotePort + base
                + target.wsPath(chatId) + "?token=" + token);
    }

    /** Everything that shapes the run, for the RESULT line. */
    Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", scenario);
        m.put("target", target.wireName);
        m.put("url", wsBase.toString());
        m.put("http", httpBase.toString());
        m.put("chats", chats);
        m.put("members", members);
        m.put("connections", totalConnections());
        switch (scenario) {
            case "fanout" -> {
                m.put("senders", senders);
                m.put("mode", closedLoop ? "closed-loop" : "rate");
                if (closedLoop) {
                    m.put("window", window);
                } else {
                    m.put("rate_per_sender", rate);
                }
                m.put("payload_bytes", payload);
            }
            case "typing" -> m.put("rate_per_member", rate);
            case "receipts" -> {
                m.put("rate_per_reader", rate);
                m.put("messages_per_chat", messages);
            }
            case "sends" -> {
                m.put("window", window);
                m.put("payload_bytes", payload);
            }
            case "bot" -> m.put("think_ms", thinkMs);
            case "realistic" -> {
                m.put("senders", senders);
                m.put("rates_per_chat", rateSteps.toString());
                m.put("read_p99_bound_ms", rateSteps.p99BoundMs);
            }
            default -> { }
        }
        m.put("warmup_s", warmupSeconds);
        m.put(scenario.equals("idle") ? "hold_s" : "duration_s", durationSeconds);
        m.put("drain_s", drainSeconds);
        m.put("io_threads", ioThreads);
        m.put("source_ips", sourceIps);
        m.put("ramp_concurrency", rampConcurrency);
        return m;
    }

    private static URI uri(String s, String option, String schemePrefix) {
        try {
            URI u = new URI(s);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals(schemePrefix + "s")) {
                throw new Args.UsageException(option + ": TLS (" + scheme + ") is not supported on loopback runs");
            }
            if (!scheme.equals(schemePrefix)) {
                throw new Args.UsageException(option + " must be a " + schemePrefix + ":// URL, got '" + s + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new Args.UsageException(option + " is not a URL: " + s);
        }
    }
}
