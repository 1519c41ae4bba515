package com.speechbot.bench.load;

import java.io.PrintStream;

/** Per-second progress on stderr (the summary and RESULT line go to stdout); silent with --quiet. */
final class Progress {

    private final PrintStream err;
    private final boolean quiet;
    private final long start = System.nanoTime();
    private long lastRampPrint;

    Progress(PrintStream err, boolean quiet) {
        this.err = err;
        this.quiet = quiet;
    }

    void say(String format, Object... args) {
        if (!quiet) {
            err.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, String.format(java.util.Locale.ROOT, format, args));
            err.flush();
        }
    }

    void ramp(int opened, long failed, int total) {
        long now = System.nanoTime();
        if (opened + failed == total || now - lastRampPrint > 1_000_000_000L) {
            lastRampPrint = now;
            say("connecting: %d/%d open, %d failed", opened, total, failed);
        }
    }
}
