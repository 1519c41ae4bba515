package com.speechbot.bench.load;

import java.io.PrintStream;
import java.util.concurrent.ThreadLocalRandom;

/**
 * WebSocket load generator for SpeechBot Realtime and the reference ws-node peer (loopback only). Scenarios:
 * fanout, typing, receipts, sends, idle, bot, realistic; see {@link Options#USAGE}. Prints a human summary and one
 * {@code RESULT {json}} line; exit code 0 on a completed run, 1 when the run failed, 2 on a usage error, 3 when
 * the watchdog had to stop a run that overran its time budget.
 */
public final class LoadTool {

    private LoadTool() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Args.UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("(java -jar speechbot-load.jar --help for the options)");
            return 2;
        }
        if (options == null) {
            out.print(Options.USAGE);
            return 0;
        }
        String runId = Long.toString(System.currentTimeMillis() / 1000 % 60_466_176L, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        startWatchdog(options, out);
        Scenario scenario = switch (options.scenario) {
            case "fanout" -> new FanoutScenario(options, runId);
            case "typing" -> new TypingScenario(options, runId);
            case "receipts" -> new ReceiptsScenario(options, runId);
            case "sends" -> new SendsScenario(options, runId);
            case "idle" -> new IdleScenario(options, runId);
            case "bot" -> new BotScenario(options, runId);
            case "realistic" -> new RealisticScenario(options, runId);
            default -> throw new IllegalStateException(options.scenario);
        };
        try {
            Result r = new ScenarioRunner(options, scenario, runId, new Progress(err, options.quiet)).run();
            r.print(out);
            return r.json.containsKey("error") ? 1 : 0;
        } catch (Args.UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("load run failed: " + e);
            out.println("RESULT {\"tool\":\"speechbot-load\",\"scenario\":\"" + options.scenario + "\",\"target\":\""
                    + options.target.wireName + "\",\"error\":\"" + String.valueOf(e.getMessage()).replace('"', '\'') + "\"}");
            return 1;
        }
    }

    /**
     * Every run stops by itself: setup, ramp and preparation get 5 minutes on top of warmup + duration + drain (of
     * every step of a rate sweep).
     */
    private static void startWatchdog(Options o, PrintStream out) {
        int steps = o.rateSteps == null ? 1 : o.rateSteps.count();
        long budgetSeconds = (long) steps * (o.warmupSeconds + o.durationSeconds + o.drainSeconds) + 300L;
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(budgetSeconds * 1000);
            } catch (InterruptedException e) {
                return;
            }
            out.println("RESULT {\"tool\":\"speechbot-load\",\"scenario\":\"" + o.scenario
                    + "\",\"error\":\"watchdog: run exceeded " + budgetSeconds + " s\"}");
            out.flush();
            Runtime.getRuntime().halt(3);
        }, "load-watchdog");
        t.setDaemon(true);
        t.start();
    }
}
