package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class PercentilesTest {

    @Test
    void of_tenDurations_nearestRankPercentilesInMicroseconds() {
        long[] nanos = {10_000, 1_000, 9_000, 2_000, 8_000, 3_000, 7_000, 4_000, 6_000, 5_000};

        assertThat(Percentiles.of(nanos)).isEqualTo(new Percentiles(5, 9, 10, 10));
    }

    @Test
    void of_noDurations_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Percentiles.of(new long[0]))
                .withMessageContaining("no durations");
    }
}
