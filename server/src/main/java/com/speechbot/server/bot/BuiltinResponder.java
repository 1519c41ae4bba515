package com.speechbot.server.bot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline default: a deterministic responder that answers a few commands and otherwise writes a short markdown
 * summary of the question, streamed token by token at a configurable pace. Same input, same answer — which is what
 * the demo, the tests and the benchmarks need.
 */
public final class BuiltinResponder implements Responder {

    private static final Pattern TOKEN = Pattern.compile("\\s*\\S+\\s*");
    private static final int TOKENS_PER_TASK_UNPACED = 16;

    private final long paceMs;
    private final String model;

    public BuiltinResponder(long paceMs, String model) {
        this.paceMs = paceMs;
        this.model = model;
    }

    @Override
    public String model() {
        return model;
    }

    @Override
    public Generation generate(BotRequest request, TokenSink sink, ScheduledExecutorService scheduler) {
        String answer = answer(request.prompt(), request.conversation().size() - 1);
        List<String> tokens = tokens(answer);
        int promptTokens = request.conversation().stream().mapToInt(t -> Usage.estimateTokens(t.content())).sum();
        Stream stream = new Stream(tokens, sink, scheduler, new Usage(promptTokens, tokens.size(), false));
        scheduler.execute(stream);
        return stream::cancel;
    }

    /** The answer text for a prompt; {@code earlier} is the number of messages before it in the context. */
    static String answer(String prompt, int earlier) {
        String p = prompt == null ? "" : prompt.strip();
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.startsWith("/help")) {
            return """
                    **SpeechBot builtin commands**

                    - `/help` — this list
                    - `/echo TEXT` — repeat TEXT
                    - `/upper TEXT` — TEXT in capitals
                    - `/reverse TEXT` — TEXT backwards
                    - `/count TEXT` — count words and characters

                    Anything else gets a short summary of your message.""";
        }
        if (lower.startsWith("/echo")) {
            return argument(p, 5);
        }
        if (lower.startsWith("/upper")) {
            return argument(p, 6).toUpperCase(Locale.ROOT);
        }
        if (lower.startsWith("/reverse")) {
            return new StringBuilder(argument(p, 8)).reverse().toString();
        }
        if (lower.startsWith("/count")) {
            String arg = argument(p, 6);
            return "Your text has **" + words(arg).size() + "** words and **" + arg.codePointCount(0, arg.length())
                    + "** characters.";
        }
        List<String> words = words(p);
        String quoted = p.length() > 200 ? p.substring(0, 200) + "…" : p;
        StringBuilder sb = new StringBuilder();
        sb.append("**You asked:**\n\n> ").append(quoted.replace("\n", "\n> ")).append("\n\n");
        sb.append("Here is what I can tell about it:\n\n");
        sb.append("- It has ").append(words.size()).append(words.size() == 1 ? " word" : " words").append(" and ")
                .append(p.codePointCount(0, p.length())).append(" characters.\n");
        List<String> keywords = keywords(words);
        if (!keywords.isEmpty()) {
            sb.append("- Key words: ").append(String.join(", ", keywords.stream().map(w -> "*" + w + "*").toList()))
                    .append(".\n");
        }
        sb.append(p.endsWith("?") ? "- It is a question.\n" : "- It is a statement.\n");
        sb.append("- This conversation had ").append(Math.max(0, earlier)).append(" earlier ")
                .append(earlier == 1 ? "message" : "messages").append(".\n\n");
        sb.append("_I am the builtin offline responder; set `bot.backend: openai` for a real model. Try `/help`._");
        return sb.toString();
    }

    private static String argument(String p, int commandLength) {
        return p.length() > commandLength ? p.substring(commandLength).strip() : "";
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.split("[^\\p{L}\\p{N}']+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    private static List<String> keywords(List<String> words) {
        Set<String> seen = new LinkedHashSet<>();
        for (String w : words) {
            if (w.length() > 3) {
                seen.add(w.toLowerCase(Locale.ROOT));
            }
        }
        return seen.stream().sorted(Comparator.comparingInt(String::length).reversed().thenComparing(s -> s))
                .limit(3).toList();
    }

    static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Emits the tokens, paced or in small bursts, until done or cancelled. */
    private final class Stream implements Runnable {
        private final List<String> tokens;
        private final TokenSink sink;
        private final ScheduledExecutorService scheduler;
        private final Usage usage;
        private volatile boolean cancelled;
        private int next;

        Stream(List<String> tokens, TokenSink sink, ScheduledExecutorService scheduler, Usage usage) {
            this.tokens = tokens;
            this.sink = sink;
            this.scheduler = scheduler;
            this.usage = usage;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public void run() {
            int burst = paceMs > 0 ? 1 : TOKENS_PER_TASK_UNPACED;
            for (int i = 0; i < burst && next < tokens.size(); i++) {
                if (cancelled) {
                    return;
                }
                sink.token(tokens.get(next++));
            }
            if (cancelled) {
                return;
            }
            if (next >= tokens.size()) {
                sink.complete(usage, model);
            } else if (paceMs > 0) {
                scheduler.schedule(this, paceMs, TimeUnit.MILLISECONDS);
            } else {
                scheduler.execute(this);
            }
        }
    }
}
