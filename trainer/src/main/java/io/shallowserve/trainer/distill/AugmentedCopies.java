package io.shallowserve.trainer.distill;

import io.shallowserve.runtime.data.ImageDataset;
import java.util.Random;

/**
 * More images for a mimic to learn a teacher's logits on, made from the ones there are: each copy is its image
 * mirrored left to right or not, then moved by up to {@value #MAX_SHIFT} pixels each way, the uncovered border filled
 * with zeros (the black background of Fashion-MNIST and MNIST).
 *
 * <p>The mimic learns the teacher's logits on a copy, not a label, so no copy can be mislabelled: the teacher says
 * what it looks like. A copy is worth learning on as far as it looks like the images the network will be asked
 * about. Small moves do; mirroring does for Fashion-MNIST, whose items are roughly symmetric left to right (a shirt,
 * a bag, a shoe pointing the other way), less so for digits. The labels the copies carry are their images' and serve
 * only the training accuracy a run prints.
 */
public final class AugmentedCopies {

    /** The largest move, in pixels, along either axis. */
    public static final int MAX_SHIFT = 2;

    private AugmentedCopies() {
    }

    /**
     * How one copy is made from its image.
     *
     * @param right    columns the (mirrored) image moves right; negative moves it left
     * @param down     rows it moves down; negative moves it up
     * @param mirrored whether the image is mirrored left to right before it moves
     */
    record Move(int right, int down, boolean mirrored) {

        /** Writes image {@code image} of {@code images}, moved, into {@code out} from {@code offset}. */
        void apply(ImageDataset images, int image, byte[] out, int offset) {
            int height = images.height();
            int width = images.width();
            byte[] pixels = images.pixels();
            int imageStart = image * images.imageSize();
            for (int channel = 0; channel < images.channels(); channel++) {
                int plane = channel * height * width;
                for (int row = 0; row < height; row++) {
                    int sourceRow = row - down;
                    for (int column = 0; column < width; column++) {
                        int shifted = column - right;
                        int sourceColumn = mirrored ? width - 1 - shifted : shifted;
                        boolean inside = sourceRow >= 0 && sourceRow < height && shifted >= 0 && shifted < width;
                        out[offset + plane + row * width + column] = inside
                                ? pixels[imageStart + plane + sourceRow * width + sourceColumn]
                                : 0;
                    }
                }
            }
        }
    }

    /**
     * The images, then {@code copies} blocks of one copy of every image each (copy {@code k} of image {@code i} at
     * {@code k * images.size() + i}, k from 1), each copy moved at random but never left as it was.
     *
     * @param seed the same seed makes the same copies
     * @throws IllegalArgumentException if {@code copies} is negative, or the copies would not fit in one array
     */
    public static ImageDataset of(ImageDataset images, int copies, long seed) {
        if (copies < 0) {
            throw new IllegalArgumentException("augmented copies must not be negative, got " + copies);
        }
        if (copies == 0) {
            return images;
        }
        long bytes = (long) images.pixels().length * (copies + 1);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(copies + " copies of " + images + " would be " + bytes
                    + " bytes, more than one array holds: make fewer copies");
        }
        int count = images.size();
        int imageSize = images.imageSize();
        byte[] pixels = new byte[(int) bytes];
        int[] labels = new int[count * (copies + 1)];
        System.arraycopy(images.pixels(), 0, pixels, 0, images.pixels().length);
        System.arraycopy(images.labels(), 0, labels, 0, count);
        Random random = new Random(seed);
        for (int copy = 1; copy <= copies; copy++) {
            for (int image = 0; image < count; image++) {
                int index = copy * count + image;
                randomMove(random).apply(images, image, pixels, index * imageSize);
                labels[index] = images.labels()[image];
            }
        }
        return new ImageDataset(images.name() + "+" + copies + " moved copies", images.channels(), images.height(),
                images.width(), pixels, labels, images.classNames());
    }

    private static Move randomMove(Random random) {
        Move move;
        // A copy left as it was would only weigh its image twice.
        do {
            move = new Move(random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT,
                    random.nextInt(2 * MAX_SHIFT + 1) - MAX_SHIFT, random.nextBoolean());
        } while (move.right() == 0 && move.down() == 0 && !move.mirrored());
        return move;
    }
}
