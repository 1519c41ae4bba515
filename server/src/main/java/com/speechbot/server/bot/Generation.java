package com.speechbot.server.bot;

/** A running answer; {@link #cancel} stops it (no further sink calls after the cancel takes effect). */
@FunctionalInterface
public interface Generation {
    void cancel();
}
