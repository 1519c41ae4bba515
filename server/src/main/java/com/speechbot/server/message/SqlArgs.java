package com.speechbot.server.message;

import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import org.jdbi.v3.core.argument.Argument;

/** Jdbi arguments the message stores bind: UTC timestamps and PostgreSQL arrays. */
final class SqlArgs {

    private SqlArgs() {}

    /** A timestamptz parameter independent of the JVM and session time zones. */
    static Argument ts(Instant instant) {
        OffsetDateTime t = instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
        return (position, statement, ctx) -> {
            if (t == null) {
                statement.setNull(position, Types.TIMESTAMP_WITH_TIMEZONE);
            } else {
                statement.setObject(position, t);
            }
        };
    }

    static Argument longArray(Collection<Long> values) {
        Long[] array = values.toArray(new Long[0]);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("bigint", array));
    }

    static Argument textArray(Collection<String> values) {
        String[] array = values.toArray(new String[0]);
        return (position, statement, ctx) -> statement.setArray(position, statement.getConnection().createArrayOf("text", array));
    }
}
