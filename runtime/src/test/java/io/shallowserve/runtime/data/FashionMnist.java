package io.shallowserve.runtime.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The Fashion-MNIST test split as the default models take it, for tests of every module: found and read as the
 * trainer reads it ({@link RealData}: SHALLOWSERVE_DATA, then the Debian package dataset-fashion-mnist).
 */
public final class FashionMnist {

    /** Values per image: 1 x 28 x 28. */
    public static final int PIXELS = 28 * 28;

    private FashionMnist() {}

    /** The folder that holds the four files, for tests that hand it to another program. */
    public static Path directory() {
        try {
            return DataLocator.fromSystem().locate(DatasetKind.FASHION_MNIST, null);
        } catch (DataNotFoundException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The first {@code count} test images as float32 pixel / 255, NCHW [count, 1, 28, 28] row-major. */
    public static float[] testImages(int count) {
        return RealData.fashionMnist().test().pixelsAsFloats(0, count);
    }

    public static int[] testLabels(int count) {
        return Arrays.copyOf(RealData.fashionMnist().test().labels(), count);
    }

    /** Image {@code index} of {@code images}, as its own array. */
    public static float[] image(float[] images, int index) {
        return Arrays.copyOfRange(images, index * PIXELS, (index + 1) * PIXELS);
    }
}
