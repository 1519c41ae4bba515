package com.speechbot.bench.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Asks the server's JVM for a full GC ({@code jcmd <pid> GC.run}) so that "heap used" is live data, not garbage
 * left by the ramp: the idle scenario's heap per connection is only meaningful after one. Opt-in
 * ({@code --server-gc}), needs {@code --server-pid} and a JDK's jcmd running as the server's user.
 */
final class ServerGc {

    private ServerGc() {}

    /** Empty on success, else why not. */
    static String run(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String exe = Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd";
        try {
            Process p = new ProcessBuilder(exe, Long.toString(pid), "GC.run").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "jcmd GC.run timed out";
            }
            return p.exitValue() == 0 ? "" : "jcmd GC.run exited " + p.exitValue() + ": " + out.strip();
        } catch (Exception e) {
            return "jcmd GC.run failed: " + e.getMessage();
        } finally {
            try {
                Thread.sleep(500); // let the metrics registry see the post-GC pools
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
