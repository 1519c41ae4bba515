package com.speechbot.server.ws;

import com.speechbot.server.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WsZzDebugTest {
    @Test
    void timing() {
        TestServer server = TestServer.shared();
        for (int i = 0; i < 4; i++) {
            String alice = TestServer.newUser("alice");
            String bob = TestServer.newUser("bob");
            String chat = WsSupport.createChat(server, alice, bob);
            String seed = WsSupport.seed(server, chat, alice);
            long t0 = System.nanoTime();
            WsTestClient b = WsSupport.live(server, chat, bob, seed);
            WsTestClient a = WsSupport.live(server, chat, alice, seed);
            long t1 = System.nanoTime();
            a.send("typing", Map.of("is_typing", true));
            b.awaitEvent("typing_indicator");
            long t2 = System.nanoTime();
            a.close();
            long t3 = System.nanoTime();
            b.awaitEvent("typing_indicator", Duration.ofSeconds(10));
            long t4 = System.nanoTime();
            b.close();
            System.out.println("DBG connect " + (t1 - t0) / 1_000_000 + " typing " + (t2 - t1) / 1_000_000 + " close " + (t3 - t2) / 1_000_000 + " false after " + (t4 - t3) / 1_000_000);
        }
    }
}
