package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.data.ImageDataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AugmentedCopiesTest {

    private static final List<String> CLASSES = List.of("a", "b");

    /** One 1x3x4 image, pixel (row, column) = 1 + 4 row + column: every pixel tells where it came from. */
    private static ImageDataset numbered() {
        byte[] pixels = new byte[12];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (1 + i);
        }
        return new ImageDataset("numbered", 1, 3, 4, pixels, new int[] {1}, CLASSES);
    }

    private static byte[] moved(ImageDataset images, AugmentedCopies.Move move) {
        byte[] out = new byte[images.imageSize()];
        move.apply(images, 0, out, 0);
        return out;
    }

    @Test
    void move_rightAndUp_shiftsThePixelsAndFillsTheUncoveredBorderWithZeros() {
        assertThat(moved(numbered(), new AugmentedCopies.Move(1, -1, false))).containsExactly(
                0, 5, 6, 7,
                0, 9, 10, 11,
                0, 0, 0, 0);
    }

    @Test
    void move_mirroredInPlace_reversesEveryRow() {
        assertThat(moved(numbered(), new AugmentedCopies.Move(0, 0, true))).containsExactly(
                4, 3, 2, 1,
                8, 7, 6, 5,
                12, 11, 10, 9);
    }

    @Test
    void move_mirroredThenMovedRightAndDown_movesTheMirroredImage() {
        assertThat(moved(numbered(), new AugmentedCopies.Move(2, 1, true))).containsExactly(
                0, 0, 0, 0,
                0, 0, 4, 3,
                0, 0, 8, 7);
    }

    @Test
    void move_twoChannels_movesEachChannelAlike() {
        ImageDataset twoChannels = new ImageDataset("rgb-ish", 2, 1, 3, new byte[] {1, 2, 3, 11, 12, 13},
                new int[] {0}, CLASSES);

        assertThat(moved(twoChannels, new AugmentedCopies.Move(-1, 0, true))).containsExactly(2, 1, 0, 12, 11, 0);
    }

    @Test
    void of_copies_keepsTheImagesFirstThenOneMovedCopyOfEachPerBlock() {
        ImageDataset images = twoImages();

        ImageDataset augmented = AugmentedCopies.of(images, 3, 7);

        assertThat(augmented.size()).isEqualTo(8);
        assertThat(augmented.labels()).containsExactly(0, 1, 0, 1, 0, 1, 0, 1);
        assertThat(augmented.firstN(2).pixels()).isEqualTo(images.pixels());
        for (int index = 2; index < 8; index++) {
            byte[] copy = augmented.slice(index, index + 1).pixels();
            assertThat(movesOf(images, index % 2)).as("copy %d", index).anySatisfy(move ->
                    assertThat(copy).isEqualTo(move));
            assertThat(copy).as("copy %d is not its image unchanged", index)
                    .isNotEqualTo(images.slice(index % 2, index % 2 + 1).pixels());
        }
    }

    @Test
    void of_sameSeed_sameCopiesAndOtherSeed_otherCopies() {
        ImageDataset images = twoImages();

        assertThat(AugmentedCopies.of(images, 4, 7).pixels()).isEqualTo(AugmentedCopies.of(images, 4, 7).pixels());
        assertThat(AugmentedCopies.of(images, 4, 8).pixels()).isNotEqualTo(AugmentedCopies.of(images, 4, 7).pixels());
    }

    @Test
    void of_noCopies_returnsTheImages() {
        ImageDataset images = twoImages();

        assertThat(AugmentedCopies.of(images, 0, 7)).isSameAs(images);
    }

    @Test
    void of_negativeCopies_throws() {
        assertThatThrownBy(() -> AugmentedCopies.of(twoImages(), -1, 7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not be negative");
    }

    /** Two 1x6x6 images of distinct non-zero pixels, so no two moves of them give the same copy. */
    private static ImageDataset twoImages() {
        byte[] pixels = new byte[72];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (1 + i);
        }
        return new ImageDataset("two", 1, 6, 6, pixels, new int[] {0, 1}, CLASSES);
    }

    /** Image {@code image} under every move of at most MAX_SHIFT pixels, mirrored or not. */
    private static List<byte[]> movesOf(ImageDataset images, int image) {
        ImageDataset one = images.slice(image, image + 1);
        List<byte[]> moves = new ArrayList<>();
        for (int right = -AugmentedCopies.MAX_SHIFT; right <= AugmentedCopies.MAX_SHIFT; right++) {
            for (int down = -AugmentedCopies.MAX_SHIFT; down <= AugmentedCopies.MAX_SHIFT; down++) {
                for (boolean mirrored : new boolean[] {false, true}) {
                    moves.add(moved(one, new AugmentedCopies.Move(right, down, mirrored)));
                }
            }
        }
        assertThat(moves).hasSize(50).doesNotHaveDuplicates();
        return moves;
    }
}
