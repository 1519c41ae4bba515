package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class LoopbackTest {

    @Test
    void acceptsLocalhostAndTheWholeLoopbackNet() {
        assertThat(Loopback.requireLoopback(URI.create("ws://localhost:8080"), "--url").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Loopback.requireLoopback(URI.create("ws://127.0.0.1:8080"), "--url").getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Loopback.requireLoopback(URI.create("http://127.1.2.3:80"), "--http").getHostAddress()).isEqualTo("127.1.2.3");
    }

    @Test
    void refusesAnythingElse() {
        for (String url : new String[] {"ws://10.0.0.1:8080", "ws://example.com", "ws://128.0.0.1:1", "ws://[::1]:8080",
                "ws://0.0.0.0:8080", "ws://127.0.0.1.evil.com:80", "ws://localhost.evil.com:80"}) {
            assertThatThrownBy(() -> Loopback.requireLoopback(URI.create(url), "--url"))
                    .as(url).isInstanceOf(Args.UsageException.class);
        }
    }

    @Test
    void sourceAddressesCycleOverTheFirstN() {
        assertThat(Loopback.source(0, 8).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Loopback.source(7, 8).getHostAddress()).isEqualTo("127.0.0.8");
        assertThat(Loopback.source(8, 8).getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Loopback.source(5, 1).getHostAddress()).isEqualTo("127.0.0.1");
    }
}
