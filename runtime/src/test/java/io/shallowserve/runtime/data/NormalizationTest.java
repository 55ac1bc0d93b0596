package io.shallowserve.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void of_twoChannelImages_computesEachChannelOverAllImages() {
        // Two 2-channel 1x2 images. Channel 0 holds 0, 255, 0, 255; channel 1 holds 0, 0, 0, 255.
        byte[] pixels = {0, (byte) 255, 0, 0, 0, (byte) 255, 0, (byte) 255};
        ImageDataset data = new ImageDataset("two", 2, 1, 2, pixels, new int[] {0, 0}, List.of("only"));

        Normalization normalization = Normalization.of(data);

        assertThat(normalization.channels()).isEqualTo(2);
        assertThat(normalization.mean()[0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(normalization.std()[0]).isCloseTo(0.5f, within(1e-6f));
        assertThat(normalization.mean()[1]).isCloseTo(0.25f, within(1e-6f));
        assertThat(normalization.std()[1]).isCloseTo((float) Math.sqrt(0.25 * 0.75), within(1e-6f));
    }

    @Test
    void of_constantChannel_throwsBecauseStdWouldBeZero() {
        ImageDataset flat = new ImageDataset("flat", 1, 1, 2, new byte[] {7, 7}, new int[] {0}, List.of("only"));

        assertThatThrownBy(() -> Normalization.of(flat))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("std of channel 0 must be positive, got 0.0");
    }

    @Test
    void constructor_meanAndStdOfDifferentLength_throws() {
        assertThatThrownBy(() -> new Normalization(new float[] {0.5f, 0.5f}, new float[] {0.2f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mean and std need one value per channel, got 2 means and 1 standard deviations");
    }

    @Test
    void mean_isACopy() {
        float[] mean = {0.5f};
        Normalization normalization = new Normalization(mean, new float[] {0.25f});

        mean[0] = 9;
        normalization.mean()[0] = 9;

        assertThat(normalization.mean()).containsExactly(0.5f);
        assertThat(normalization).isEqualTo(new Normalization(new float[] {0.5f}, new float[] {0.25f}));
        assertThat(normalization).hasToString("Normalization[mean=[0.5], std=[0.25]]");
    }
}
