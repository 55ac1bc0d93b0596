package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.RealData;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.ValidationSplit;
import org.junit.jupiter.api.Test;

/** How a slice of the real Fashion-MNIST training split is shared between the labels and the mimic. */
class DistillationDataTest {

    private final DataSplits splits = RealData.fashionMnist();

    @Test
    void split_labelledFirstImages_labelledAsATrainLimitOfThemAndTheRestUnlabelled() {
        DistillationData data = DistillationData.split(splits, 3_000, 1_000, ValidationSplit.ofImages(200), 1, 0);

        assertThat(data.labelled().training().size()).isEqualTo(800);
        assertThat(data.labelled().validation().size()).isEqualTo(200);
        // What trainer train --train-limit 1000 --validation 200 --seed 1 trains a teacher on.
        assertThat(data.labelled()).isEqualTo(TrainingData.prepare(splits, 1_000, ValidationSplit.ofImages(200), 1));
        assertThat(data.unlabelled()).isEqualTo(splits.train().slice(1_000, 3_000));
        assertThat(data.mimicTraining(1)).isEqualTo(data.labelled().training().concat(data.unlabelled()));
    }

    @Test
    void split_withCopies_mimicLearnsFromEveryImageAndItsCopies() {
        DistillationData data = DistillationData.split(splits, 3_000, 1_000, ValidationSplit.ofImages(200), 1, 2);

        assertThat(data.mimicTraining(1).size()).isEqualTo((800 + 2_000) * 3);
        assertThat(data.mimicTraining(1).firstN(800).pixels()).isEqualTo(data.labelled().training().pixels());
    }

    @Test
    void split_allLabelled_noUnlabelledImages() {
        DistillationData data = DistillationData.split(splits, 3_000, 0, ValidationSplit.ofImages(200), 1, 0);

        assertThat(data.labelled()).isEqualTo(TrainingData.prepare(splits, 3_000, ValidationSplit.ofImages(200), 1));
        assertThat(data.unlabelled().size()).isZero();
        assertThat(data.mimicTraining(1)).isSameAs(data.labelled().training());
    }

    @Test
    void split_labelledAllAvailable_throwsAsNoneIsLeftUnlabelled() {
        assertThatThrownBy(() -> DistillationData.split(splits, 3_000, 3_000, ValidationSplit.ofImages(200), 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below the 3000 training images, leaving some unlabelled; got 3000");
    }
}
