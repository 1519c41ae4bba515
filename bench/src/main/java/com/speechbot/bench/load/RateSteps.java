package com.speechbot.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The per-chat message rates of a realistic run, one measured step each: a single rate, a list
 * ({@code --rate 1,2,5}), or a geometric sweep ({@code --rate 1 --sweep 2 --sweep-steps 6}: 1, 2, 4, ...). A run
 * of several steps stops after the first step whose author's {@code read} p99 passed the bound: the capacity
 * at that latency lies between that step and the one before.
 */
final class RateSteps {

    private final List<Double> rates;
    final double p99BoundMs;

    private RateSteps(List<Double> rates, double p99BoundMs) {
        if (rates.isEmpty()) {
            throw new Args.UsageException("--rate needs at least one rate");
        }
        this.rates = List.copyOf(rates);
        this.p99BoundMs = p99BoundMs;
    }

    /** {@code --rate} as one rate or a comma-separated list, each in [min, max]; steps must rise. */
    static RateSteps parse(String rateList, double min, double max, double sweepFactor, int sweepSteps, double p99BoundMs) {
        List<Double> rates = new ArrayList<>();
        for (String part : rateList.split(",")) {
            double r;
            try {
                r = Double.parseDouble(part.strip());
            } catch (NumberFormatException e) {
                throw new Args.UsageException("--rate must be a number or a comma-separated list, got '" + rateList + "'");
            }
            if (!(r >= min && r <= max)) {
                throw new Args.UsageException("--rate values must be in [" + min + ", " + max + "], got " + part.strip());
            }
            if (!rates.isEmpty() && r <= rates.get(rates.size() - 1)) {
                throw new Args.UsageException("--rate list must rise step by step, got '" + rateList + "'");
            }
            rates.add(r);
        }
        if (sweepFactor > 0) {
            if (rates.size() != 1) {
                throw new Args.UsageException("--sweep steps up from one --rate, not from a list");
            }
            for (int i = 1; i < sweepSteps && rates.get(i - 1) * sweepFactor <= max; i++) {
                rates.add(rates.get(i - 1) * sweepFactor);
            }
        }
        return new RateSteps(rates, p99BoundMs);
    }

    int count() {
        return rates.size();
    }

    double rate(int step) {
        return rates.get(step);
    }

    /**
     * Whether step {@code step + 1} runs, after step {@code step} measured this author's read p99; NaN (no author
     * saw a read at all) stops the run too.
     */
    boolean continueAfter(int step, double readP99Ms) {
        return step + 1 < rates.size() && readP99Ms <= p99BoundMs;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (double r : rates) {
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3g", r));
        }
        return sb.toString();
    }
}
