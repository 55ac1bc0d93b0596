package io.shallowserve.loadtest.input;

import io.shallowserve.runtime.data.DataLocator;
import io.shallowserve.runtime.data.DataNotFoundException;
import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.data.IdxReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Images as a model takes them: channels x height x width floats, pixel / 255.
 *
 * @param channels channels of every image
 * @param height   rows of every image
 * @param width    columns of every image
 * @param pixels   one array of {@code channels * height * width} values in [0, 1] per image
 */
public record ImageSet(int channels, int height, int width, List<float[]> pixels) {

    public ImageSet {
        pixels = List.copyOf(pixels);
        if (pixels.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
    }

    /**
     * The Fashion-MNIST test images where the trainer finds them ({@link DataLocator}: {@code $SHALLOWSERVE_DATA},
     * then the Debian package's folder).
     *
     * @throws DataNotFoundException if neither holds them; it says where it looked and how to get them
     */
    public static Path defaultTestImages() throws DataNotFoundException {
        DatasetKind kind = DatasetKind.FASHION_MNIST;
        return DataLocator.fromSystem().locate(kind, null).resolve(kind.testFiles().getFirst());
    }

    /**
     * Reads up to {@code limit} images from {@code file}: an IDX image file (gzipped or not), or an image file
     * (PNG, JPEG, BMP, GIF) scaled to the size {@code input} declares, in grey if it has one channel.
     */
    public static ImageSet read(Path file, int limit, ModelInput input) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist; give the Fashion-MNIST test images"
                    + " (apt-get install dataset-fashion-mnist) or an image file");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ImageSet images = name.contains("idx") ? readIdx(file, limit) : readImage(file, input);
        if (images.channels() != input.channels() || images.height() != input.height()
                || images.width() != input.width()) {
            throw new IOException(file + " holds " + images.channels() + "x" + images.height() + "x" + images.width()
                    + " images, but input " + input.name() + " takes " + input.channels() + "x" + input.height()
                    + "x" + input.width());
        }
        return images;
    }

    /** Reads up to {@code limit} images of an IDX images file. */
    private static ImageSet readIdx(Path file, int limit) throws IOException {
        IdxReader.GreyImages idx = IdxReader.readImages(file);
        int imageSize = idx.rows() * idx.columns();
        int count = Math.min(idx.count(), limit);
        List<float[]> pixels = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] scaled = new float[imageSize];
            for (int p = 0; p < imageSize; p++) {
                scaled[p] = Byte.toUnsignedInt(idx.pixels()[i * imageSize + p]) / 255f;
            }
            pixels.add(scaled);
        }
        return new ImageSet(1, idx.rows(), idx.columns(), pixels);
    }

    private static ImageSet readImage(Path file, ModelInput input) throws IOException {
        BufferedImage read = ImageIO.read(file.toFile());
        if (read == null) {
            throw new IOException(file + " is neither an IDX file nor an image Java can read (PNG, JPEG, BMP, GIF)");
        }
        int channels = input.channels();
        if (channels != 1 && channels != 3) {
            throw new IOException("input " + input.name() + " has " + channels + " channels; images give 1 or 3");
        }
        int height = input.height();
        int width = input.width();
        BufferedImage scaled = new BufferedImage(width, height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        var graphics = scaled.createGraphics();
        graphics.drawImage(read, 0, 0, width, height, null);
        graphics.dispose();
        float[] pixels = new float[channels * height * width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int rgb = scaled.getRGB(x, y);
                for (int c = 0; c < channels; c++) {
                    // One channel: any of the equal grey components; three: red, green, blue planes (NCHW).
                    int shift = channels == 1 ? 0 : 16 - 8 * c;
                    pixels[(c * height + y) * width + x] = ((rgb >> shift) & 0xFF) / 255f;
                }
            }
        }
        return new ImageSet(channels, height, width, List.of(pixels));
    }

    /**
     * {@code count} request tensors of {@code batch} images each, taking the images in order and starting over at
     * the end.
     */
    public List<Tensor> batches(ModelInput input, int batch, int count) {
        long[] shape = input.shapeOf(batch);
        int imageSize = channels * height * width;
        List<Tensor> tensors = new ArrayList<>(count);
        int next = 0;
        for (int t = 0; t < count; t++) {
            float[] data = new float[batch * imageSize];
            for (int b = 0; b < batch; b++) {
                System.arraycopy(pixels.get(next), 0, data, b * imageSize, imageSize);
                next = (next + 1) % pixels.size();
            }
            tensors.add(new Tensor(input.name(), shape, data));
        }
        return tensors;
    }
}
