package com.speechbot.server.config;

import java.nio.file.Path;

/** The whole configuration, validated when built so a bad setting fails at start, not under load. */
public record ServerConfig(
        Path dataDir,
        Http server,
        Database database,
        Jwt jwt,
        Limits limits,
        WebSocket websocket,
        Bot bot) {

    public ServerConfig {
        require(dataDir != null, "data_dir is required");
        require(server != null && database != null && jwt != null && limits != null && websocket != null && bot != null,
                "every config section is required");
    }

    /** The base of URLs handed to clients, without a trailing slash. */
    public String publicBaseUrl() {
        String url = server.publicUrl();
        if (url == null || url.isBlank()) {
            String host = "0.0.0.0".equals(server.host()) ? "127.0.0.1" : server.host();
            return "http://" + host + ":" + server.port();
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public ServerConfig withPort(int port) {
        return new ServerConfig(dataDir, new Http(server.host(), port, server.publicUrl(), server.ioThreads(), server.transport(),
                server.maxInitialLineBytes(), server.maxHeaderBytes(), server.maxBodyBytes(), server.shutdownGraceSeconds()),
                database, jwt, limits, websocket, bot);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("invalid configuration: " + message);
        }
    }

    /** Listener and HTTP codec limits. */
    public record Http(String host, int port, String publicUrl, int ioThreads, String transport, int maxInitialLineBytes,
                       int maxHeaderBytes, int maxBodyBytes, int shutdownGraceSeconds) {
        public Http {
            require(host != null && !host.isBlank(), "server.host is required");
            require(port >= 0 && port <= 65535, "server.port must be 0..65535");
            require(ioThreads >= 0, "server.io_threads must be >= 0");
            require(java.util.Set.of("auto", "io_uring", "epoll", "nio").contains(transport),
                    "server.transport must be auto, io_uring, epoll or nio");
            require(maxInitialLineBytes >= 256, "server.max_initial_line_bytes must be >= 256");
            require(maxHeaderBytes >= 1024, "server.max_header_bytes must be >= 1024");
            require(maxBodyBytes >= 1024, "server.max_body_bytes must be >= 1024");
            require(shutdownGraceSeconds >= 0, "server.shutdown_grace_seconds must be >= 0");
        }
    }

    /** PostgreSQL connection; an empty url selects the embedded database. */
    public record Database(String url, String user, String password, int poolSize) {
        public Database {
            require(poolSize >= 1 && poolSize <= 200, "database.pool_size must be 1..200");
        }

        public boolean embedded() {
            return url == null || url.isBlank();
        }
    }

    /** Token verification; an empty secret means "generate one into the data folder". */
    public record Jwt(String secret, String rsaPublicKeyFile, String issuer, long defaultTtlSeconds) {
        public Jwt {
            require(defaultTtlSeconds > 0, "jwt.default_ttl_seconds must be > 0");
        }
    }

    /** Request and content limits. */
    public record Limits(int maxContentBytes, int maxMetadataBytes, int maxAttachmentBytes, int maxAttachments,
                         int maxTitleChars, int editWindowHours, int defaultPageSize, int maxPageSize) {
        public Limits {
            require(maxContentBytes > 0, "limits.max_content_bytes must be > 0");
            require(maxMetadataBytes > 0, "limits.max_metadata_bytes must be > 0");
            require(maxAttachmentBytes > 0, "limits.max_attachment_bytes must be > 0");
            require(maxAttachments >= 0, "limits.max_attachments must be >= 0");
            require(maxTitleChars > 0, "limits.max_title_chars must be > 0");
            require(editWindowHours > 0, "limits.edit_window_hours must be > 0");
            require(defaultPageSize > 0 && defaultPageSize <= maxPageSize, "limits.default_page_size must be 1..max_page_size");
        }
    }

    /** WebSocket frames, backpressure and heartbeats. */
    public record WebSocket(int maxFrameBytes, int writeBufferLowBytes, int writeBufferHighBytes, long slowConsumerTimeoutMs,
                            long maxPendingBytes, int pingIntervalSeconds, int pongTimeoutSeconds, long typingTtlMs,
                            boolean coalesceReadReceipts) {
        public WebSocket {
            require(maxFrameBytes >= 1024, "websocket.max_frame_bytes must be >= 1024");
            require(writeBufferLowBytes > 0 && writeBufferHighBytes > writeBufferLowBytes,
                    "websocket.write_buffer_high_bytes must exceed write_buffer_low_bytes");
            require(slowConsumerTimeoutMs > 0, "websocket.slow_consumer_timeout_ms must be > 0");
            require(maxPendingBytes >= writeBufferHighBytes, "websocket.max_pending_bytes must be >= write_buffer_high_bytes");
            require(pingIntervalSeconds > 0 && pongTimeoutSeconds > pingIntervalSeconds,
                    "websocket.pong_timeout_seconds must exceed ping_interval_seconds");
            require(typingTtlMs > 0, "websocket.typing_ttl_ms must be > 0");
        }
    }

    /** The bot's backend and generation settings. */
    public record Bot(String backend, long paceMs, String model, double temperature, int maxTokens, int contextChars,
                      int timeoutSeconds, String openaiBaseUrl, String openaiApiKey, String openaiModel) {
        public Bot {
            require("builtin".equals(backend) || "openai".equals(backend), "bot.backend must be builtin or openai");
            require(paceMs >= 0, "bot.pace_ms must be >= 0");
            require(maxTokens > 0, "bot.max_tokens must be > 0");
            require(contextChars > 0, "bot.context_chars must be > 0");
            require(timeoutSeconds > 0, "bot.timeout_seconds must be > 0");
            require(!"openai".equals(backend) || (openaiBaseUrl != null && !openaiBaseUrl.isBlank()),
                    "bot.openai_base_url is required for the openai backend");
        }
    }
}
