package io.shallowserve.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    private static final List<String> THREE_CLASSES = List.of("a", "b", "c");

    /** Four 1x1x2 images: image i holds pixels 10*i and 10*i + 1; labels 0, 1, 2, 1. */
    private static ImageDataset fourImages() {
        byte[] pixels = {0, 1, 10, 11, 20, 21, 30, 31};
        return new ImageDataset("four", 1, 1, 2, pixels, new int[] {0, 1, 2, 1}, THREE_CLASSES);
    }

    @Test
    void constructor_pixelCountNotLabelsTimesImageSize_throws() {
        assertThatThrownBy(() -> new ImageDataset("bad", 1, 2, 2, new byte[7], new int[2], THREE_CLASSES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad: 2 labels need 2 x 4 = 8 pixel bytes, got 7");
    }

    @Test
    void constructor_labelOutOfRange_throws() {
        assertThatThrownBy(() -> new ImageDataset("bad", 1, 1, 1, new byte[2], new int[] {0, 3}, THREE_CLASSES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad: label 3 of image 1 is out of range 0..2");
    }

    @Test
    void constructor_nonPositiveSize_throws() {
        assertThatThrownBy(() -> new ImageDataset("bad", 0, 1, 1, new byte[0], new int[0], THREE_CLASSES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be positive, got 0x1x1");
    }

    @Test
    void size_andImageSize_countImagesAndBytesPerImage() {
        ImageDataset data = fourImages();

        assertThat(data.size()).isEqualTo(4);
        assertThat(data.imageSize()).isEqualTo(2);
        assertThat(data.classCount()).isEqualTo(3);
    }

    @Test
    void slice_copiesTheRange() {
        ImageDataset data = fourImages();

        ImageDataset middle = data.slice(1, 3);
        data.pixels()[2] = 99;

        assertThat(middle.name()).isEqualTo("four[1..3)");
        assertThat(middle.pixels()).containsExactly(10, 11, 20, 21);
        assertThat(middle.labels()).containsExactly(1, 2);
    }

    @Test
    void slice_outOfBounds_throws() {
        assertThatThrownBy(() -> fourImages().slice(2, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void firstN_keepsTheFirstImages() {
        ImageDataset first = fourImages().firstN(2);

        assertThat(first.pixels()).containsExactly(0, 1, 10, 11);
        assertThat(first.labels()).containsExactly(0, 1);
    }

    @Test
    void select_copiesImagesInTheGivenOrder() {
        ImageDataset picked = fourImages().select(new int[] {3, 0, 3});

        assertThat(picked.pixels()).containsExactly(30, 31, 0, 1, 30, 31);
        assertThat(picked.labels()).containsExactly(1, 0, 1);
    }

    @Test
    void concat_copiesBothInOrder() {
        ImageDataset data = fourImages();

        ImageDataset joined = data.slice(2, 4).concat(data.firstN(1));
        data.pixels()[0] = 99;

        assertThat(joined.name()).isEqualTo("four[2..4)+four[0..1)");
        assertThat(joined.pixels()).containsExactly(20, 21, 30, 31, 0, 1);
        assertThat(joined.labels()).containsExactly(2, 1, 0);
    }

    @Test
    void concat_otherImageSize_throws() {
        ImageDataset tall = new ImageDataset("tall", 1, 2, 1, new byte[] {0, 1}, new int[] {0}, THREE_CLASSES);

        assertThatThrownBy(() -> fourImages().concat(tall)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size and classes must be the same");
    }

    @Test
    void pixelsAsFloats_scalesBytesToZeroToOne() {
        byte[] pixels = {0, (byte) 128, (byte) 255, 51};
        ImageDataset data = new ImageDataset("grey", 1, 1, 2, pixels, new int[] {0, 0}, THREE_CLASSES);

        assertThat(data.pixelsAsFloats(0, 2)).containsExactly(0f, 128 / 255f, 1f, 0.2f);
        assertThat(data.pixelsAsFloats(1, 2)).containsExactly(1f, 0.2f);
    }

    @Test
    void classCounts_countsImagesPerLabel() {
        assertThat(fourImages().classCounts()).containsExactly(1, 2, 1);
    }

    @Test
    void equals_comparesPixelsAndLabelsByContent() {
        assertThat(fourImages()).isEqualTo(fourImages()).hasSameHashCodeAs(fourImages());
        assertThat(fourImages().slice(0, 2)).isNotEqualTo(fourImages().firstN(3));
    }

    @Test
    void toString_summarisesWithoutPixels() {
        assertThat(fourImages()).hasToString("four: 4 images of 1x1x2, 3 classes");
    }
}
