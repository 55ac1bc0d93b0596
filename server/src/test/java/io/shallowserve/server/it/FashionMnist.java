package io.shallowserve.server.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Real Fashion-MNIST test images, as clients send them: pixel / 255 as FP32, NCHW [n, 1, 28, 28]. */
final class FashionMnist {

    static final Path TEST_IMAGES = Path.of("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
    static final int PIXELS = 28 * 28;

    private FashionMnist() {
    }

    /** The first {@code count} test images, image after image. */
    static float[] testImages(int count) {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(TEST_IMAGES)))) {
            // IDX: magic, image count, rows, columns, then one byte per pixel.
            int magic = in.readInt();
            int images = in.readInt();
            if (magic != 0x0803 || in.readInt() != 28 || in.readInt() != 28 || images < count) {
                throw new IllegalStateException(TEST_IMAGES + " is not an IDX file of 28x28 images");
            }
            byte[] pixels = in.readNBytes(count * PIXELS);
            float[] values = new float[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                values[i] = (pixels[i] & 0xff) / 255f;
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
