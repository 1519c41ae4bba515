package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StampTest {

    @Test
    void roundTripsSendTimeAndSender() {
        String s = Stamp.format(123_456_789_012L, 42, 7, "");
        assertThat(s).isEqualTo("t:123456789012:42:7");
        assertThat(Stamp.sendNanos(s)).isEqualTo(123_456_789_012L);
        assertThat(Stamp.sender(s)).isEqualTo(42);
    }

    @Test
    void nanoTimeMayBeNegative() {
        String s = Stamp.format(-5_000L, 3, 1, Stamp.padding(4));
        assertThat(s).isEqualTo("t:-5000:3:1:xxxx");
        assertThat(Stamp.sendNanos(s)).isEqualTo(-5_000L);
        assertThat(Stamp.sender(s)).isEqualTo(3);
    }

    @Test
    void foreignContentIsNotAStamp() {
        assertThat(Stamp.sendNanos(null)).isEqualTo(Long.MIN_VALUE);
        assertThat(Stamp.sendNanos("hello")).isEqualTo(Long.MIN_VALUE);
        assertThat(Stamp.sendNanos("t:abc:1:1")).isEqualTo(Long.MIN_VALUE);
        assertThat(Stamp.sendNanos("t:")).isEqualTo(Long.MIN_VALUE);
    }
}
