package com.speechbot.server.bot;

import com.speechbot.server.config.ServerConfig;
import java.time.Duration;

/** Builds the configured backend. */
public final class Responders {

    private Responders() {}

    public static Responder create(ServerConfig.Bot bot) {
        return switch (bot.backend()) {
            case "openai" -> new OpenAiResponder(bot.openaiBaseUrl(), bot.openaiApiKey(),
                    bot.openaiModel() == null || bot.openaiModel().isBlank() ? bot.model() : bot.openaiModel(),
                    Duration.ofSeconds(bot.timeoutSeconds()), Duration.ofSeconds(Math.min(30, bot.timeoutSeconds())));
            default -> new BuiltinResponder(bot.paceMs(), bot.model());
        };
    }
}
