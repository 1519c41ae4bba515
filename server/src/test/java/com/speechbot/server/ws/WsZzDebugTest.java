package com.speechbot.server.ws;

import com.speechbot.server.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WsZzDebugTest {
    @Test
    void timing() {
        TestServer server = TestServer.shared();
        String alice = TestServer.newUser("alice");
        String chat = WsSupport.createChat(server, alice);
        String seed = WsSupport.seed(server, chat, alice);
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            WsTestClient a = WsSupport.live(server, chat, alice, seed);
            long t1 = System.nanoTime();
            a.close();
            long t2 = System.nanoTime();
            System.out.println("DBG connect " + (t1 - t0) / 1_000_000 + " close " + (t2 - t1) / 1_000_000 + " closed=" + a.isClosed());
        }
    }
}
