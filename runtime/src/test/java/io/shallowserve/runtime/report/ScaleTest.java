package io.shallowserve.runtime.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ScaleTest {

    @Test
    void map_linear_isProportional() {
        Scale scale = new Scale(false, 0, 10, 100, 200);

        assertThat(scale.map(0)).isEqualTo(100);
        assertThat(scale.map(2.5)).isEqualTo(125);
        assertThat(scale.map(10)).isEqualTo(200);
    }

    @Test
    void map_log_givesEqualRatiosEqualDistances() {
        Scale scale = new Scale(true, 1, 1000, 0, 300);

        assertThat(scale.map(10)).isCloseTo(100, within(1e-9));
        assertThat(scale.map(100)).isCloseTo(200, within(1e-9));
    }

    @Test
    void map_verticalAxis_growsUpwards() {
        Scale scale = new Scale(false, 0, 1, 385, 40);

        assertThat(scale.map(0)).isEqualTo(385);
        assertThat(scale.map(1)).isEqualTo(40);
        assertThat(scale.map(0.5)).isLessThan(385).isGreaterThan(40);
    }
}
