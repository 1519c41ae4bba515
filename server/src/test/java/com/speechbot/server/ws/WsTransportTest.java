package com.speechbot.server.ws;

import static com.speechbot.server.ws.WsSupport.createChat;
import static com.speechbot.server.ws.WsSupport.live;
import static com.speechbot.server.ws.WsSupport.seed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.speechbot.server.TestServer;
import com.speechbot.server.config.ConfigLoader;
import io.netty.channel.uring.IoUring;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** {@code server.transport}: the io_uring and NIO listeners carry the same WebSocket traffic as the default epoll one. */
class WsTransportTest {

    @Test
    void ioUringServesRestAndWebSocketFanOut() {
        Assumptions.assumeTrue(IoUring.isAvailable(), "io_uring is not available on this kernel");
        roundTrip("io_uring");
    }

    @Test
    void nioServesRestAndWebSocketFanOut() {
        roundTrip("nio");
    }

    @Test
    void anUnknownTransportIsAConfigurationError() {
        assertThatThrownBy(() -> ConfigLoader.load(Map.of("SPEECHBOT_SERVER_TRANSPORT", "kqueue-please")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("server.transport");
    }

    private static void roundTrip(String transport) {
        TestServer server = WsSupport.privateServer(Map.of("SPEECHBOT_SERVER_TRANSPORT", transport));
        try {
            String alice = TestServer.newUser("alice");
            String bob = TestServer.newUser("bob");
            String chat = createChat(server, alice, bob);
            String seed = seed(server, chat, alice);
            try (WsTestClient a = live(server, chat, alice, seed);
                 WsTestClient b = live(server, chat, bob, seed)) {
                for (int i = 0; i < 20; i++) {
                    a.send("send_message", Map.of("content", transport + " " + i, "client_message_id", "t" + i));
                }
                for (int i = 0; i < 20; i++) {
                    assertThat(b.awaitEvent("new_message").path("data").path("message").path("content").asText())
                            .isEqualTo(transport + " " + i);
                }
            }
        } finally {
            WsSupport.stop(server);
        }
    }
}
