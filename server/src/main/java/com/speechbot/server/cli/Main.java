package com.speechbot.server.cli;

import com.speechbot.server.SpeechBotServer;
import com.speechbot.server.auth.JwtSecrets;
import com.speechbot.server.auth.TokenService;
import com.speechbot.server.config.ConfigLoader;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.store.Database;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar speechbot.jar serve | token --user ID [--ttl 1h] | migrate}. */
public final class Main {

    private static final String USAGE = """
            usage: java -jar speechbot.jar <command>
              serve                         start the server (embedded PostgreSQL unless SPEECHBOT_DATABASE_URL is set)
              token --user ID [--ttl 24h]   print a bearer token for user ID, valid for this server's secret
              migrate                       apply database migrations and exit
            configuration: config/speechbot.yaml (or SPEECHBOT_CONFIG) and SPEECHBOT_* environment variables
            """;

    private Main() {}

    public static void main(String[] args) {
        try {
            System.exit(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args) {
        if (args.length == 0 || "--help".equals(args[0]) || "-h".equals(args[0])) {
            System.out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        return switch (args[0]) {
            case "serve" -> serve();
            case "token" -> token(args);
            case "migrate" -> migrate();
            default -> {
                System.err.print("unknown command: " + args[0] + "\n" + USAGE);
                yield 2;
            }
        };
    }

    private static int serve() {
        ServerConfig config = ConfigLoader.load();
        SpeechBotServer server;
        try {
            server = SpeechBotServer.start(config);
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(Main.class).error("failed to start", e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // SIGTERM / SIGINT run shutdown hooks: stop gracefully, then let the JVM exit.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static int token(String[] args) {
        String user = null;
        Duration ttl = null;
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (("--user".equals(a) || "-u".equals(a)) && i + 1 < args.length) {
                user = args[++i];
            } else if (a.startsWith("--user=")) {
                user = a.substring(7);
            } else if ("--ttl".equals(a) && i + 1 < args.length) {
                ttl = parseDuration(args[++i]);
            } else if (a.startsWith("--ttl=")) {
                ttl = parseDuration(a.substring(6));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
            }
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("token needs --user ID");
        }
        ServerConfig config = ConfigLoader.load();
        JwtSecrets.Secret secret = JwtSecrets.loadOrCreate(config.dataDir(), config.jwt().secret());
        TokenService tokens = new TokenService(secret.bytes(), null,
                config.jwt().issuer() == null || config.jwt().issuer().isBlank() ? null : config.jwt().issuer());
        System.out.println(tokens.mint(user, ttl != null ? ttl : Duration.ofSeconds(config.jwt().defaultTtlSeconds())));
        return 0;
    }

    private static int migrate() {
        ServerConfig config = ConfigLoader.load();
        ServerConfig.Database db = config.database();
        Database.migrate(db.embedded() ? null : db.url(), db.user(), db.password(), config.dataDir());
        return 0;
    }

    /** {@code 3600}, {@code 90s}, {@code 30m}, {@code 12h}, {@code 7d} or ISO-8601 {@code PT1H}. */
    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            char unit = t.charAt(t.length() - 1);
            if (Character.isDigit(unit)) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException("bad --ttl " + text);
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad --ttl '" + text + "': use seconds or 90s, 30m, 12h, 7d");
        }
    }

}
