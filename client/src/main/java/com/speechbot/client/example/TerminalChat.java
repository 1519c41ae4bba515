package com.speechbot.client.example;

import com.speechbot.client.SpeechBotClient;
import com.speechbot.client.outbox.FileOutboxStore;
import com.speechbot.client.ws.ChatConnection;
import com.speechbot.client.ws.ChatEvent;
import com.speechbot.client.ws.ConnectionOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A terminal chat on the client library: every line typed is sent (queued while offline, in {@code --outbox} if
 * given), messages of others are printed, and the bot's answer is printed as it is written. {@code /quit} or end of
 * input leaves.
 *
 * <pre>java -jar client/target/speechbot-chat.jar --url http://localhost:8080 --token $TOKEN --chat chat_123</pre>
 */
public final class TerminalChat {

    private static final String USAGE =
            "usage: speechbot-chat --url <server url> --token <bearer token> --chat <chat id> [--outbox <file>]";

    private final PrintStream out;
    /** Answers already begun on screen (events come one at a time, so no locking). */
    private final Set<String> answersShown = new HashSet<>();

    private TerminalChat(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        if (opts == null) {
            System.err.println(USAGE);
            System.exit(2);
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new TerminalChat(out).run(opts);
    }

    private void run(Map<String, String> opts) throws Exception {
        SpeechBotClient client = SpeechBotClient.builder().baseUrl(opts.get("--url")).token(opts.get("--token")).build();
        ConnectionOptions options = ConnectionOptions.defaults()
                .onEvent(this::show)
                .onGiveUp(g -> out.println("! not sent (" + g.error() + "): " + g.send().content()));
        if (opts.containsKey("--outbox")) {
            options.outbox(new FileOutboxStore(Path.of(opts.get("--outbox"))));
        }
        try (ChatConnection chat = client.connect(opts.get("--chat"), options)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("/quit"); ) {
                if (!line.isBlank()) {
                    chat.send(line);
                }
            }
        }
    }

    /** Typing, receipts and reactions are not shown in this small example. */
    private void show(ChatEvent event) {
        if (event instanceof ChatEvent.Connected) {
            out.println("* connected");
        } else if (event instanceof ChatEvent.Disconnected d) {
            out.println("* disconnected (" + d.reason() + ")"
                    + (d.retryIn() == null ? "" : ", reconnecting in " + d.retryIn().toMillis() + " ms"));
        } else if (event instanceof ChatEvent.NewMessage m) {
            out.println((m.confirmsLocalSend() ? "✓ " : "> ") + m.message().content());
        } else if (event instanceof ChatEvent.AnswerProgress p) {
            showAnswer(p);
        } else if (event instanceof ChatEvent.ServerError e) {
            out.println("! " + e.error().errorCode() + ": " + e.error().message());
        }
    }

    private void showAnswer(ChatEvent.AnswerProgress p) {
        if (answersShown.add(p.answer().messageId())) {
            out.print("bot: ");
        }
        out.print(p.delta());
        if (p.answer().isComplete()) {
            out.println();
            out.println("* answer complete");
        }
        out.flush();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                return null;
            }
            opts.put(args[i], args[i + 1]);
        }
        boolean complete = args.length % 2 == 0 && opts.containsKey("--url") && opts.containsKey("--token")
                && opts.containsKey("--chat");
        return complete ? opts : null;
    }
}
