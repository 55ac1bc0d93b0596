package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogitScoresTest {

    @Test
    void accuracyDifference_pairedImages_differenceAndMarginFromTheImagesOnlyOneGetsRight() {
        // Two classes, four images of class 0. "This" is right on images 0, 1, 2; the reference on 2 only.
        int[] labels = {0, 0, 0, 0};
        float[] logits = {1, 0, 1, 0, 1, 0, 0, 1};
        float[] reference = {0, 1, 0, 1, 1, 0, 0, 1};

        DistillationResult.AccuracyDifference difference =
                LogitScores.accuracyDifference(logits, reference, labels, 2);

        // Per image +1, +1, 0, 0: mean 0.5, variance 0.5 - 0.25, standard error sqrt(0.25 / 4).
        assertThat(difference.difference()).isEqualTo(0.5);
        assertThat(difference.margin()).isCloseTo(1.96 * 0.25, within(1e-12));
    }

    @Test
    void accuracyDifference_sameRightImages_zeroWithZeroMargin() {
        int[] labels = {0, 1};
        float[] logits = {2, 1, 0, 3};
        float[] reference = {5, 1, 1, 2};

        DistillationResult.AccuracyDifference difference =
                LogitScores.accuracyDifference(logits, reference, labels, 2);

        assertThat(difference).isEqualTo(new DistillationResult.AccuracyDifference(0, 0));
    }
}
