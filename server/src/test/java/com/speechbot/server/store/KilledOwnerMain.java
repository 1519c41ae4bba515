package com.speechbot.server.store;

import java.nio.file.Path;

/** A server stand-in for {@link EmbeddedDatabaseRecoveryTest}: commits a row, says READY, then waits to be SIGKILLed. */
public final class KilledOwnerMain {

    public static void main(String[] args) throws Exception {
        Database db = Database.open(null, null, null, 2, Path.of(args[0]));
        db.jdbi().useHandle(h -> h.execute("INSERT INTO chats (id, title, owner_id, created_at, updated_at)"
                + " VALUES (42, 'survives SIGKILL', 'user_1', now(), now())"));
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
