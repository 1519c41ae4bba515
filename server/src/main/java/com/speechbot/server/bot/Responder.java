package com.speechbot.server.bot;

import java.util.concurrent.ScheduledExecutorService;

/** A language-model backend that streams an answer without blocking the calling thread. */
public interface Responder {

    /**
     * Starts answering {@code request}; tokens arrive on {@code sink}. {@code scheduler} may be used for pacing and
     * timeouts (it is the chat's event loop: tasks on it must not block).
     */
    Generation generate(BotRequest request, TokenSink sink, ScheduledExecutorService scheduler);

    /** The model name reported in message metadata. */
    String model();
}
