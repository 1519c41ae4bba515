package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * realistic: what a busy app looks like. K chats x N members; each chat carries --rate messages/s, sent by its first
 * --senders members in turn-free open loop (each at rate / senders, {@link Pacer}); every other member sends
 * mark_read for each message the moment its new_message arrives (delivery ticks and read receipts on). Measures the
 * author's time to {@code read} (send -> the author's first read status for that message) and, from the runner's
 * {@link Measurement}, the server's and its PostgreSQL's CPU per message and our store's transactions per message.
 * <p>What each server does differs: ours persists the message, the delivery tick and the receipt and tells the author
 * once per message (plus the reader); ws-node broadcasts every mark_read to every member. Both figures are "what
 * it costs to serve this traffic", not the same work.
 * <p>With several rates ({@link RateSteps}) every step is one warmup + window + drain on the same sockets.
 */
final class RealisticScenario extends Scenario {

    /** A message some reader has seen; {@code readSeen} once its author saw it read (kept to tell repeats apart). */
    private record Pending(long sentNanos, int author, long firstMarkNanos, boolean readSeen) {}

    /** A sender's sequence; only touched on its connection's loop, and kept across steps (unique client ids). */
    private static final class Sender {
        long seq;
    }

    /** The counters of one step; replaced at each start. */
    private static final class Step {
        final int index;
        final double rate;
        final Window window;
        final Latency sendToRead = new Latency();
        final Latency markToRead = new Latency();
        final Latency delivery = new Latency();
        final Latency lateness = new Latency();
        final LongAdder messagesSent = new LongAdder();
        final LongAdder marksSent = new LongAdder();
        final LongAdder frames = new LongAdder();
        final LongAdder newMessages = new LongAdder();
        final LongAdder authorReads = new LongAdder();
        final LongAdder authorDelivered = new LongAdder();
        final LongAdder otherStatuses = new LongAdder();
        final LongAdder repeatedReads = new LongAdder();

        Step(int index, double rate, Window window) {
            this.index = index;
            this.rate = rate;
            this.window = window;
        }
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final List<Map<String, Object>> stepReports = new ArrayList<>();
    private final LongAdder marksTotal = new LongAdder();
    private final LongAdder sentTotal = new LongAdder();
    private volatile Step step;
    private Map<String, Object> firstStep;

    RealisticScenario(Options options, String runId) {
        super(options, runId);
    }

    @Override
    void start(Window w) {
        int index = step == null ? 0 : step.index + 1;
        Step s = new Step(index, options.rateSteps.rate(index), w);
        pending.clear(); // messages of the last step that nobody read by now will not count
        step = s;
        double perSender = s.rate / options.senders;
        for (WsConnection c : connections) {
            if (c.member >= options.senders) {
                continue;
            }
            if (!(c.state instanceof Sender)) {
                c.state = new Sender();
            }
            Sender sender = (Sender) c.state;
            Pacer.start(c, perSender, w, s.lateness, intended -> {
                long seq = ++sender.seq;
                if (c.send(sendMessageJson(Stamp.format(intended, c.index, seq, ""), "lt" + runId + "-" + c.index + "-" + seq))) {
                    sentTotal.increment();
                    if (w.inWindow(intended)) {
                        s.messagesSent.increment();
                    }
                }
            });
        }
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {
        Step s = step;
        if (s == null) {
            return;
        }
        boolean inWindow = s.window.inWindow(now);
        if (inWindow) {
            s.frames.increment();
        }
        if ("new_message".equals(e.type)) {
            onNewMessage(s, c, e, now, inWindow);
        } else if ("message_status".equals(e.type) && e.messageId != null) {
            onStatus(s, c, e, now, inWindow);
        }
    }

    /** A reader marks it read at once; the author's own echo needs nothing. */
    private void onNewMessage(Step s, WsConnection c, InboundEvent e, long now, boolean inWindow) {
        long sent = Stamp.sendNanos(e.content);
        if (sent == Long.MIN_VALUE || e.messageId == null) {
            return;
        }
        if (inWindow) {
            s.newMessages.increment();
        }
        int author = Stamp.sender(e.content);
        if (author == c.index) {
            return;
        }
        if (s.window.inWindow(sent)) {
            s.delivery.recordNanos(now - sent);
        }
        // Registered before the write: the author's loop may read the status before send returns.
        pending.putIfAbsent(e.messageId, new Pending(sent, author, System.nanoTime(), false));
        if (c.send("{\"type\":\"mark_read\",\"data\":{\"message_id\":\"" + e.messageId + "\"}}")) {
            marksTotal.increment();
            if (inWindow) {
                s.marksSent.increment();
            }
        }
    }

    /** Only the author's statuses count; ours also tell the reader, ws-node tells everyone. */
    private void onStatus(Step s, WsConnection c, InboundEvent e, long now, boolean inWindow) {
        boolean read = "read".equals(e.status);
        Pending p = pending.get(e.messageId);
        if (p == null || p.author != c.index) {
            if (inWindow) {
                s.otherStatuses.increment();
            }
            return;
        }
        if (!read) {
            if (inWindow && "delivered".equals(e.status)) {
                s.authorDelivered.increment();
            }
            return;
        }
        if (inWindow) {
            s.authorReads.increment();
        }
        if (p.readSeen || !pending.replace(e.messageId, p, new Pending(p.sentNanos, p.author, p.firstMarkNanos, true))) {
            if (inWindow) {
                s.repeatedReads.increment(); // ws-node: every reader's mark_read reaches the author again
            }
            return;
        }
        if (s.window.inWindow(p.sentNanos)) {
            s.sendToRead.recordNanos(now - p.sentNanos);
            s.markToRead.recordNanos(now - p.firstMarkNanos);
        }
    }

    @Override
    String progress() {
        Step s = step;
        return String.format(Locale.ROOT, "%.3g msg/s per chat: sent %,d  mark_read %,d  read seen by authors %,d  errors %,d",
                s == null ? 0 : s.rate, sentTotal.sum(), marksTotal.sum(), s == null ? 0 : s.authorReads.sum(),
                events.errorCount());
    }

    @Override
    boolean stepDone(Measurement m, Result r) {
        Step s = step;
        Map<String, Object> f = figures(s, m);
        stepReports.add(f);
        if (firstStep == null) {
            firstStep = f;
        }
        Object p99 = s.sendToRead.summary().get("p99_ms");
        double readP99 = p99 instanceof Number n ? n.doubleValue() : Double.NaN;
        r.line("Step %d: %.3g msg/s per chat (%,.1f msg/s), read p99 %s ms, %s", s.index + 1, s.rate,
                s.window.perSecond(s.messagesSent.sum()), Double.isNaN(readP99) ? "n/a" : String.format(Locale.ROOT, "%.3f", readP99),
                CostPerMessage.line(castMap(f.get("cost"))));
        return options.rateSteps.continueAfter(s.index, readP99);
    }

    private Map<String, Object> figures(Step s, Measurement m) {
        Window w = s.window;
        long messages = s.messagesSent.sum();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("step", s.index + 1);
        f.put("rate_per_chat", s.rate);
        f.put("messages_sent", messages);
        f.put("messages_per_s", Result.round1(w.perSecond(messages)));
        f.put("mark_read_sent", s.marksSent.sum());
        f.put("frames_received", s.frames.sum());
        f.put("frames_per_s", Result.round1(w.perSecond(s.frames.sum())));
        f.put("new_message_frames", s.newMessages.sum());
        f.put("author_read_statuses", s.authorReads.sum());
        f.put("author_repeated_read_statuses", s.repeatedReads.sum());
        f.put("author_delivered_statuses", s.authorDelivered.sum());
        f.put("other_status_frames", s.otherStatuses.sum());
        f.put("read_latency", s.sendToRead.summary());
        f.put("mark_read_to_read_latency", s.markToRead.summary());
        f.put("delivery_latency", s.delivery.summary());
        f.put("send_lateness", s.lateness.summary());
        for (String key : new String[] {"server_cpu_cores", "postgres_cpu_cores"}) {
            if (m.cpu().containsKey(key)) {
                f.put(key, m.cpu().get(key));
            }
        }
        f.put("cost", CostPerMessage.of(m, messages, s.frames.sum()));
        return f;
    }

    @Override
    void report(Result r) {
        Map<String, Object> headline = r.section("realistic");
        headline.putAll(firstStep);
        headline.put("read_semantics", options.target == Target.SPEECHBOT
                ? "persisted; read status to the author once per message (first reader) and to that reader"
                : "every mark_read broadcast to every member");
        if (stepReports.size() > 1 || options.rateSteps.count() > 1) {
            r.put("steps", stepReports);
            Map<String, Object> sweep = r.section("sweep");
            double bound = options.rateSteps.p99BoundMs;
            sweep.put("read_p99_bound_ms", bound);
            sweep.put("steps_run", stepReports.size());
            Map<String, Object> best = null;
            for (Map<String, Object> f : stepReports) {
                Object p99 = castMap(f.get("read_latency")).get("p99_ms");
                if (p99 instanceof Number n && n.doubleValue() <= bound) {
                    best = f;
                }
            }
            sweep.put("max_messages_per_s_within_bound", best == null ? null : best.get("messages_per_s"));
            sweep.put("max_rate_per_chat_within_bound", best == null ? null : best.get("rate_per_chat"));
            r.line("Sweep: %d step(s); highest load with read p99 <= %.3g ms: %s", stepReports.size(), bound,
                    best == null ? "none" : String.format(Locale.ROOT, "%.3g msg/s per chat = %,.1f msg/s",
                            num(best.get("rate_per_chat")), num(best.get("messages_per_s"))));
        }
        Map<String, Object> f = firstStep;
        r.line("Realistic%s: %d chats x %d members, %d sender(s)/chat, %.3g msg/s per chat; readers mark each message read on arrival",
                stepReports.size() > 1 ? " (step 1)" : "", options.chats, options.members, options.senders, num(f.get("rate_per_chat")));
        r.line("  messages    %,d sent = %,.1f msg/s; %,d mark_read; %,d frames received = %,.1f/s",
                (Long) f.get("messages_sent"), num(f.get("messages_per_s")), (Long) f.get("mark_read_sent"),
                (Long) f.get("frames_received"), num(f.get("frames_per_s")));
        r.line("  author      %,d read statuses (%,d repeats), %,d delivered statuses", (Long) f.get("author_read_statuses"),
                (Long) f.get("author_repeated_read_statuses"), (Long) f.get("author_delivered_statuses"));
        r.line("  read        %s (send -> author's read)", latencyLine(f.get("read_latency")));
        r.line("  mark->read  %s", latencyLine(f.get("mark_read_to_read_latency")));
        r.line("  delivery    %s (send -> reader's new_message)", latencyLine(f.get("delivery_latency")));
        Map<String, Object> cost = castMap(f.get("cost"));
        r.line("  cost        %s", CostPerMessage.line(cost));
        if (cost.get("store_commits_per_message") != null) {
            r.line("  store       transactions %s = per message %s", cost.get("store_commits"), cost.get("store_commits_per_message"));
        }
    }

    private static String latencyLine(Object summary) {
        Map<String, Object> m = castMap(summary);
        if (!(m.get("p50_ms") instanceof Number)) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.3f  p99 %.3f  max %.3f ms (n=%,d)", num(m.get("p50_ms")),
                num(m.get("p99_ms")), num(m.get("max_ms")), ((Number) m.get("count")).longValue());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
