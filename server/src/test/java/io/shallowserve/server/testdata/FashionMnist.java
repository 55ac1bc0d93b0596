package io.shallowserve.server.testdata;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The Fashion-MNIST test split (Debian package dataset-fashion-mnist), read here because the server must not import
 * the trainer. IDX format: images have a 16-byte header, then 28 x 28 unsigned bytes per image; labels an 8-byte
 * header, then one byte per image.
 */
public final class FashionMnist {

    public static final int PIXELS = 28 * 28;
    /** Where the Debian package puts the four .gz files. */
    public static final Path DIRECTORY = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnist() {}

    /** The first {@code count} test images as float32 pixel / 255, NCHW [count, 1, 28, 28] row-major. */
    public static float[] testImages(int count) {
        byte[] bytes = read("t10k-images-idx3-ubyte.gz", 16, count * PIXELS);
        float[] pixels = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            pixels[i] = (bytes[i] & 0xff) / 255f;
        }
        return pixels;
    }

    public static int[] testLabels(int count) {
        byte[] bytes = read("t10k-labels-idx1-ubyte.gz", 8, count);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = bytes[i];
        }
        return labels;
    }

    /** Image {@code index} of {@code images}, as its own array. */
    public static float[] image(float[] images, int index) {
        float[] one = new float[PIXELS];
        System.arraycopy(images, index * PIXELS, one, 0, PIXELS);
        return one;
    }

    private static byte[] read(String file, int header, int length) {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DIRECTORY.resolve(file)));
                DataInputStream data = new DataInputStream(in)) {
            data.skipNBytes(header);
            byte[] bytes = new byte[length];
            data.readFully(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(DIRECTORY.resolve(file) + ": " + e.getMessage()
                    + " (the tests need apt-get install dataset-fashion-mnist)", e);
        }
    }
}
