package com.speechbot.server.hub;

import com.speechbot.server.bot.BotStore;
import com.speechbot.server.bot.Responder;
import com.speechbot.server.config.ServerConfig;
import com.speechbot.server.message.MessageStore;
import com.speechbot.server.metrics.BotMeters;
import java.util.concurrent.Executor;

/** What every chat's bot shares: the backend, the stores, the database executor, settings and meters. */
public record BotContext(Responder responder, BotStore botStore, MessageStore messages, Executor db, ServerConfig.Bot config,
                         BotMeters meters) {}
