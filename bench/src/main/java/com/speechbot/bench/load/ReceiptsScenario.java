package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * receipts: K chats x N members. Member 0 (the author) first posts --messages messages; then every other member
 * walks those ids in order sending mark_read at --rate. Counts message_status events (all members, and the
 * author's alone) and the latency from a mark_read to the author's message_status for that message.
 * <p>Our server sends the status to the author and the reader, once per message (the first reader's receipt
 * changes the message to read; later ones change nothing) and names the reader (data.user_id), so the latency
 * matches the reader's own mark_read. ws-node answers every mark_read with a status to every member, without a
 * reader id, so the author's statuses are matched first-in first-out per message.
 */
final class ReceiptsScenario extends Scenario {

    private final Latency latency = new Latency();
    private final Latency lateness = new Latency();
    private final LongAdder markSentTotal = new LongAdder();
    private final LongAdder markSentInWindow = new LongAdder();
    private final LongAdder statusInWindow = new LongAdder();
    private final LongAdder authorStatusInWindow = new LongAdder();
    private final LongAdder otherStatusInWindow = new LongAdder();
    private final LongAdder unmatched = new LongAdder();
    private final Map<String, Long> pendingByReader = new ConcurrentHashMap<>();
    private final Map<String, Queue<Long>> pendingFifo = new ConcurrentHashMap<>();
    private final boolean statusNamesReader;

    private volatile boolean preparing;
    private String[][] ids;

    /** The author's pre-posting state; touched on its loop only. */
    private static final class Author {
        final List<String> ids = new ArrayList<>();
        int sent;
        int outstanding;
        volatile int received;
    }

    ReceiptsScenario(Options options, String runId) {
        super(options, runId);
        this.statusNamesReader = options.target == Target.SPEECHBOT;
    }

    @Override
    void prepare(Progress progress) throws InterruptedException {
        if (options.members < 2) {
            throw new Args.UsageException("--scenario receipts needs --members >= 2 (an author and readers)");
        }
        preparing = true;
        List<WsConnection> authors = new ArrayList<>();
        for (WsConnection c : connections) {
            if (c.member == 0) {
                Author a = new Author();
                c.state = a;
                authors.add(c);
                c.loop().execute(() -> postMore(c, a));
            }
        }
        long deadline = System.nanoTime() + 120_000_000_000L;
        int want = options.messages;
        long lastSay = 0;
        while (true) {
            int done = 0;
            long received = 0;
            for (WsConnection c : authors) {
                Author a = (Author) c.state;
                received += a.received;
                if (a.received >= want || !c.isOpen()) {
                    done++;
                }
            }
            if (done == authors.size()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                progress.say("receipts: authors posted %,d of %,d messages in 120 s; going on with those", received,
                        (long) want * authors.size());
                break;
            }
            if (System.nanoTime() - lastSay > 1_000_000_000L) {
                lastSay = System.nanoTime();
                progress.say("receipts: authors posted %,d / %,d messages", received, (long) want * authors.size());
            }
            Thread.sleep(50);
        }
        preparing = false;
        ids = new String[options.chats][];
        for (WsConnection c : authors) {
            Author a = (Author) c.state;
            synchronized (a.ids) {
                ids[c.chat.index()] = a.ids.toArray(new String[0]);
            }
        }
    }

    private void postMore(WsConnection c, Author a) {
        while (preparing && a.outstanding < 16 && a.sent < options.messages && c.isOpen()) {
            a.sent++;
            a.outstanding++;
            c.send(sendMessageJson(Stamp.format(System.nanoTime(), c.index, a.sent, ""), "lt" + runId + "-" + c.index + "-" + a.sent));
        }
    }

    @Override
    void start(Window w) {
        for (WsConnection c : connections) {
            String[] chatIds = ids[c.chat.index()];
            if (c.member == 0 || chatIds == null || chatIds.length == 0) {
                continue;
            }
            long[] k = {0};
            Pacer.start(c, options.rate, w, lateness, intended -> {
                String id = chatIds[(int) (k[0]++ % chatIds.length)];
                // Registered before the write: the author's loop may read the status before send returns.
                long now = System.nanoTime();
                if (statusNamesReader) {
                    pendingByReader.putIfAbsent(c.chat.index() + ":" + id + ":" + c.userId, now);
                } else {
                    pendingFifo.computeIfAbsent(c.chat.index() + ":" + id, x -> new ConcurrentLinkedQueue<>()).add(now);
                }
                if (!c.send("{\"type\":\"mark_read\",\"data\":{\"message_id\":\"" + id + "\"}}")) {
                    return;
                }
                markSentTotal.increment();
                if (w.inWindow(intended)) {
                    markSentInWindow.increment();
                }
            });
        }
    }

    @Override
    void handle(WsConnection c, InboundEvent e, long now) {
        if (preparing && "new_message".equals(e.type) && c.state instanceof Author a
                && Stamp.sendNanos(e.content) != Long.MIN_VALUE && Stamp.sender(e.content) == c.index) {
            synchronized (a.ids) {
                a.ids.add(e.messageId);
            }
            a.received++;
            a.outstanding--;
            postMore(c, a);
            return;
        }
        if (!"message_status".equals(e.type) || !"read".equals(e.status)) {
            return;
        }
        Window w = window;
        if (w == null) {
            return;
        }
        boolean in = w.inWindow(now);
        if (in) {
            statusInWindow.increment();
        }
        if (c.member != 0) {
            if (in) {
                otherStatusInWindow.increment();
            }
            return;
        }
        if (in) {
            authorStatusInWindow.increment();
        }
        Long sent = null;
        String key = c.chat.index() + ":" + e.messageId;
        if (statusNamesReader && e.userId != null) {
            sent = pendingByReader.remove(key + ":" + e.userId);
        } else {
            Queue<Long> q = pendingFifo.get(key);
            sent = q == null ? null : q.poll();
        }
        if (sent == null) {
            unmatched.increment();
        } else if (w.inWindow(sent)) {
            latency.recordNanos(now - sent);
        }
    }

    @Override
    String progress() {
        return String.format(java.util.Locale.ROOT, "mark_read sent %,d  message_status %,d  errors %,d",
                markSentTotal.sum(), events.total("message_status"), events.errorCount());
    }

    @Override
    void report(Result r) {
        Window w = window;
        Map<String, Object> m = r.section("receipts");
        long marks = markSentInWindow.sum();
        long all = statusInWindow.sum();
        long author = authorStatusInWindow.sum();
        int posted = 0;
        for (String[] chatIds : ids) {
            posted += chatIds == null ? 0 : chatIds.length;
        }
        m.put("messages_posted", posted);
        m.put("mark_read_sent", marks);
        m.put("mark_read_sent_per_s", Result.round1(w.perSecond(marks)));
        m.put("status_events_received", all);
        m.put("status_events_per_s", Result.round1(w.perSecond(all)));
        m.put("author_status_events", author);
        m.put("author_status_per_s", Result.round1(w.perSecond(author)));
        m.put("reader_status_events", otherStatusInWindow.sum());
        m.put("unmatched_author_statuses", unmatched.sum());
        m.put("status_semantics", statusNamesReader
                ? "per message, first reader wins; status to author + that reader"
                : "every mark_read broadcast to every member");
        r.put("latency", latency.summary());
        r.put("send_lateness", lateness.summary());
        r.line("Receipts: %d chats x %d members (1 author, %d readers), %d messages/chat, %.3g mark_read/s per reader",
                options.chats, options.members, options.members - 1, options.messages, options.rate);
        r.line("  mark_read   %,d sent = %,.1f/s", marks, w.perSecond(marks));
        r.line("  status      %,d message_status received by all members = %,.1f/s", all, w.perSecond(all));
        r.line("  processed   %,d message_status received by authors = %,.1f/s", author, w.perSecond(author));
        r.line("  latency     %s (mark_read -> author's message_status)", latency.line());
    }
}
