package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {

    @TempDir
    Path proc;

    @Test
    void statLineFieldsCountFromTheLastParenthesis() {
        ProcFs.Stat s = ProcFs.Stat.parse("4242 (postgres: a) b) S 4200 4200 4200 0 -1 4194560 120 0 0 0 "
                + "731 129 40 7 20 0 1 0 55 123456 789 18446744073709551615\n");
        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.comm()).isEqualTo("postgres: a) b");
        assertThat(s.ppid()).isEqualTo(4200);
        assertThat(s.utime()).isEqualTo(731);
        assertThat(s.stime()).isEqualTo(129);
        assertThat(s.cutime()).isEqualTo(40);
        assertThat(s.cstime()).isEqualTo(7);
        assertThat(s.ownTicks()).isEqualTo(860);
        assertThatThrownBy(() -> ProcFs.Stat.parse("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void postmasterFromThePidFileAndItsWholeTreeSummed() throws IOException {
        Path data = Files.createDirectories(proc.resolve("../speechbot-data/pg")).getParent();
        Files.writeString(data.resolve("pg/postmaster.pid"), "300\n" + data.resolve("pg") + "\n1700000000\n5432\n");
        process(1, "init", 0, 5, 5, 0, 0);
        process(200, "java", 1, 900, 100, 0, 0);          // the server JVM: not PostgreSQL's
        process(300, "postgres", 1, 10, 20, 30, 40);       // postmaster; 70 ticks of reaped backends
        process(301, "postgres", 300, 100, 50, 0, 0);      // checkpointer
        process(302, "postgres", 300, 1000, 500, 0, 0);    // a backend
        process(303, "postgres", 302, 1, 1, 0, 0);         // a (hypothetical) grandchild
        process(400, "postgres", 1, 7777, 7777, 0, 0);     // another cluster's postmaster

        ProcFs fs = new ProcFs(proc);
        assertThat(fs.postmasterOf(data)).contains(300L);
        assertThat(fs.postmasterOf(data.resolve("pg"))).contains(300L);
        ProcFs.TreeTicks t = fs.treeTicks(300).orElseThrow();
        assertThat(t.processes()).isEqualTo(4);
        assertThat(t.ticks()).isEqualTo(30 + 1500 + 150 + 2 + 30 + 40);
        assertThat(fs.treeTicks(999)).isEmpty();
    }

    @Test
    void staleOrMissingPidFileFallsBackToTheDataDirOnTheCommandLine() throws IOException {
        Path data = Files.createDirectories(proc.resolve("../other-data/pg")).getParent();
        Path cluster = data.resolve("pg");
        Files.writeString(cluster.resolve("postmaster.pid"), "555\n"); // that pid is gone
        process(610, "postgres", 1, 1, 1, 0, 0, "/opt/pg/bin/postgres", "-D", "/elsewhere/pg", "-p", "5000");
        process(620, "postgres", 1, 1, 1, 0, 0, "/opt/pg/bin/postgres", "-D", cluster.toString(), "-p", "5001");
        process(621, "postgres", 620, 1, 1, 0, 0, "postgres: checkpointer");

        ProcFs fs = new ProcFs(proc);
        assertThat(fs.postmasterOf(data)).contains(620L);
        Files.delete(cluster.resolve("postmaster.pid"));
        assertThat(fs.postmasterOf(data)).contains(620L);
        assertThat(fs.postmasterOf(proc.resolve("../nowhere"))).isEmpty();
    }

    @Test
    void aPidFileNamingANonPostgresProcessIsNotTrusted() throws IOException {
        Path data = Files.createDirectories(proc.resolve("../reused/pg")).getParent();
        Files.writeString(data.resolve("pg/postmaster.pid"), "700\n");
        process(700, "bash", 1, 1, 1, 0, 0);
        assertThat(new ProcFs(proc).postmasterOf(data)).isEmpty();
    }

    private void process(long pid, String comm, long ppid, long utime, long stime, long cutime, long cstime,
                         String... argv) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") S " + ppid + " " + pid + " " + pid
                + " 0 -1 4194560 10 0 0 0 " + utime + " " + stime + " " + cutime + " " + cstime + " 20 0 1 0 100 1000 50\n");
        Files.writeString(dir.resolve("cmdline"), argv.length == 0 ? "" : String.join("\0", argv) + "\0");
    }
}
