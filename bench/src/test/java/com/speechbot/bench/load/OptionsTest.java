package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OptionsTest {

    private static Options parse(String... args) {
        return Options.parse(args);
    }

    @Test
    void defaultsPerScenario() {
        Options f = parse("--scenario", "fanout", "--target", "ws-node");
        assertThat(f.chats).isEqualTo(10);
        assertThat(f.members).isEqualTo(10);
        assertThat(f.totalConnections()).isEqualTo(100);
        assertThat(f.closedLoop).isFalse();
        assertThat(f.httpBase.toString()).isEqualTo("http://127.0.0.1:8080");

        Options s = parse("--scenario", "sends", "--connections", "30", "--members", "3", "--target", "ws-node");
        assertThat(s.chats).isEqualTo(10);
        assertThat(s.senders).isEqualTo(3);
        assertThat(s.closedLoop).isTrue();
        assertThat(s.window).isEqualTo(8);

        Options i = parse("--scenario=idle", "--connections=250", "--hold=5", "--target=ws-node");
        assertThat(i.chats).isEqualTo(3);
        assertThat(i.durationSeconds).isEqualTo(5);
        assertThat(i.warmupSeconds).isZero();
    }

    @Test
    void wsUriPerTarget() {
        assertThat(parse("--scenario", "typing", "--target", "ws-node", "--url", "ws://localhost:18080")
                .wsUri("chat_1", "a.b.c").toString()).isEqualTo("ws://localhost:18080/chats/chat_1/ws?token=a.b.c");
        assertThat(parse("--scenario", "typing", "--url", "ws://127.0.0.1:9")
                .wsUri("chat_7", "tok").toString()).isEqualTo("ws://127.0.0.1:9/v1/chats/chat_7/ws?token=tok");
    }

    @Test
    void mistakesAreUsageErrors() {
        String[][] bad = {
                {"--scenario", "nope"},
                {"--scenario", "fanout", "--connections", "5"},
                {"--scenario", "fanout", "--window", "4"},
                {"--scenario", "sends", "--chats", "4"},
                {"--scenario", "bot", "--target", "ws-node"},
                {"--scenario", "fanout", "--senders", "11"},
                {"--scenario", "fanout", "--rate"},
                {"--scenario", "fanout", "--rate", "fast"},
                {"--scenario", "fanout", "--rate", "1", "--rate", "2"},
                {"--scenario", "fanout", "--url", "wss://127.0.0.1:8443"},
                {"--scenario", "idle", "--server-gc"},
                {"--scenario", "fanout", "--chats", "1000", "--members", "100"},
        };
        for (String[] args : bad) {
            assertThatThrownBy(() -> parse(args)).as(String.join(" ", args)).isInstanceOf(Args.UsageException.class);
        }
    }

    @Test
    void realisticDefaultsAndSweep() {
        Options r = parse("--scenario", "realistic", "--target", "ws-node", "--chats", "100");
        assertThat(r.members).isEqualTo(10);
        assertThat(r.senders).isEqualTo(10);
        assertThat(r.rate).isEqualTo(1.0);
        assertThat(r.rateSteps.count()).isEqualTo(1);
        assertThat(r.serverDataDir).isNull();

        Options sweep = parse("--scenario", "realistic", "--rate", "2", "--sweep", "1.5", "--sweep-steps", "4",
                "--read-p99-bound", "20", "--server-data-dir", "/tmp/sb", "--target", "ws-node");
        assertThat(sweep.rateSteps.toString()).isEqualTo("2.00, 3.00, 4.50, 6.75");
        assertThat(sweep.rateSteps.p99BoundMs).isEqualTo(20.0);
        assertThat(sweep.serverDataDir.toString()).isEqualTo("/tmp/sb");
        assertThat(parse("--scenario", "realistic", "--rate", "1,5,10", "--target", "ws-node").rate).isEqualTo(1.0);
    }

    @Test
    void realisticMistakesAreUsageErrors() {
        String[][] bad = {
                {"--scenario", "realistic", "--members", "1"},
                {"--scenario", "realistic", "--rate", "5,1"},
                {"--scenario", "realistic", "--rate", "1,2", "--sweep", "2"},
                {"--scenario", "realistic", "--sweep-steps", "3"},
                {"--scenario", "realistic", "--senders", "11"},
                {"--scenario", "realistic", "--server-data-dir", "/d", "--postgres-pid", "7"},
                {"--scenario", "fanout", "--rate", "1,2"},
        };
        for (String[] args : bad) {
            assertThatThrownBy(() -> parse(args)).as(String.join(" ", args)).isInstanceOf(Args.UsageException.class);
        }
    }

    @Test
    void helpIsNotARun() {
        assertThat(parse("--help")).isNull();
    }
}
