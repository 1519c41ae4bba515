package com.speechbot.bench.load;

import java.util.Locale;

/** The server under test: ours (REST-provisioned chats, verified tokens) or the reference Node {@code ws} peer. */
enum Target {
    /** SpeechBot Realtime: chats created over REST, tokens signed with the server's secret, path /v1/chats/{id}/ws. */
    SPEECHBOT("speechbot", "/v1/chats/%s/ws"),
    /** shared/peers/ws-node: any chat id, any JWT-shaped token (only {@code sub} is read), path /chats/{id}/ws. */
    WS_NODE("ws-node", "/chats/%s/ws");

    final String wireName;
    private final String pathFormat;

    Target(String wireName, String pathFormat) {
        this.wireName = wireName;
        this.pathFormat = pathFormat;
    }

    String wsPath(String chatId) {
        return String.format(Locale.ROOT, pathFormat, chatId);
    }

    boolean provisionsOverRest() {
        return this == SPEECHBOT;
    }

    static Target parse(String s) {
        for (Target t : values()) {
            if (t.wireName.equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new Args.UsageException("--target must be speechbot or ws-node, got '" + s + "'");
    }
}
