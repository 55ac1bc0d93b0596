package io.shallowserve.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real Fashion-MNIST files from the Debian package {@code dataset-fashion-mnist}. */
class FashionMnistDataTest {

    private static DataSplits splits;

    @BeforeAll
    static void load() {
        splits = RealData.fashionMnist();
    }

    @Test
    void load_realFiles_haveTheOfficialSizes() {
        assertThat(splits.train().size()).isEqualTo(60000);
        assertThat(splits.test().size()).isEqualTo(10000);
        for (ImageDataset split : new ImageDataset[] {splits.train(), splits.test()}) {
            assertThat(split.channels()).isEqualTo(1);
            assertThat(split.height()).isEqualTo(28);
            assertThat(split.width()).isEqualTo(28);
            assertThat(split.pixels()).hasSize(split.size() * 28 * 28);
        }
    }

    @Test
    void load_realFiles_firstTrainingImageIsAnAnkleBoot() {
        ImageDataset train = splits.train();

        assertThat(train.labels()[0]).isEqualTo(9);
        assertThat(train.classNames().get(train.labels()[0])).isEqualTo("Ankle boot");
    }

    @Test
    void load_realFiles_everyClassHasItsShare() {
        assertThat(Arrays.stream(splits.train().labels())).allMatch(label -> label >= 0 && label <= 9);
        assertThat(splits.train().classCounts()).containsOnly(6000);
        assertThat(splits.test().classCounts()).containsOnly(1000);
    }

    @Test
    void of_realTrainingSet_matchesThePublishedMeanAndStd() {
        Normalization normalization = Normalization.of(splits.train());

        assertThat(normalization.channels()).isEqualTo(1);
        assertThat(normalization.mean()[0]).isCloseTo(0.2860f, within(1e-3f));
        assertThat(normalization.std()[0]).isCloseTo(0.3530f, within(1e-3f));
    }
}
