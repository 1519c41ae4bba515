package com.speechbot.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateStepsTest {

    @Test
    void oneRateIsOneStep() {
        RateSteps s = RateSteps.parse("1", 0.001, 100, 0, 1, 50);
        assertThat(s.count()).isEqualTo(1);
        assertThat(s.rate(0)).isEqualTo(1.0);
        assertThat(s.continueAfter(0, 1.0)).isFalse();
    }

    @Test
    void aListRunsUntilTheBoundIsPassed() {
        RateSteps s = RateSteps.parse("1, 2,5,10", 0.001, 100, 0, 1, 50);
        assertThat(s.count()).isEqualTo(4);
        assertThat(s.rate(2)).isEqualTo(5.0);
        assertThat(s.continueAfter(0, 3.0)).isTrue();
        assertThat(s.continueAfter(1, 50.0)).isTrue();
        assertThat(s.continueAfter(1, 50.1)).isFalse();
        assertThat(s.continueAfter(2, Double.NaN)).as("no read seen at all").isFalse();
        assertThat(s.continueAfter(3, 1.0)).as("last step").isFalse();
    }

    @Test
    void aSweepMultipliesUpToItsStepsAndTheMaximum() {
        RateSteps s = RateSteps.parse("1", 0.001, 20, 2, 8, 50);
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.rate(4)).isEqualTo(16.0);
        assertThat(RateSteps.parse("0.5", 0.001, 100, 1.5, 3, 50).toString()).isEqualTo("0.500, 0.750, 1.13");
    }

    @Test
    void badListsAreUsageErrors() {
        assertThatThrownBy(() -> RateSteps.parse("2,1", 0.001, 100, 0, 1, 50)).isInstanceOf(Args.UsageException.class);
        assertThatThrownBy(() -> RateSteps.parse("1,x", 0.001, 100, 0, 1, 50)).isInstanceOf(Args.UsageException.class);
        assertThatThrownBy(() -> RateSteps.parse("0", 0.001, 100, 0, 1, 50)).isInstanceOf(Args.UsageException.class);
        assertThatThrownBy(() -> RateSteps.parse("1,2", 0.001, 100, 2, 4, 50)).isInstanceOf(Args.UsageException.class);
    }
}
