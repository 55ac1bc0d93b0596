package io.shallowserve.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    @Test
    void size_defaultOnTheFullSplit_aTenth() {
        assertThat(ValidationSplit.DEFAULT.size(60_000)).isEqualTo(6_000);
    }

    @Test
    void size_defaultOnASmallSet_theMinimumLeavesMostToTrainOn() {
        // 10% of 8,000 is 800: raised to the floor, 7,000 left to train on (a fixed 5,000 left 3,000).
        assertThat(ValidationSplit.DEFAULT.size(8_000)).isEqualTo(ValidationSplit.MINIMUM);
    }

    @Test
    void size_defaultOnATinySet_neverMoreThanHalf() {
        assertThat(ValidationSplit.DEFAULT.size(1_200)).isEqualTo(600);
    }

    @Test
    void size_fixedNumber_asGiven() {
        assertThat(ValidationSplit.ofImages(5_000).size(60_000)).isEqualTo(5_000);
        assertThat(ValidationSplit.ofImages(0).size(60_000)).isZero();
    }

    @Test
    void size_fixedNumberLeavingNothingToTrainOn_saysSo() {
        assertThatThrownBy(() -> ValidationSplit.ofImages(8_000).size(8_000))
                .hasMessageContaining("leaving some to train on");
    }

    @Test
    void new_numberAndFraction_refused() {
        assertThatThrownBy(() -> new ValidationSplit(100, 0.1)).hasMessageContaining("not both");
        assertThatThrownBy(() -> ValidationSplit.ofFraction(1.0)).hasMessageContaining("below 1");
        assertThatThrownBy(() -> ValidationSplit.ofFraction(0)).hasMessageContaining("above 0");
    }

    @Test
    void describe_sayWhatIsHeldOut() {
        assertThat(ValidationSplit.DEFAULT.describe()).isEqualTo("10% (at least 1000)");
        assertThat(ValidationSplit.ofImages(5_000).describe()).isEqualTo("5000");
    }
}
