package io.shallowserve.runtime.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Labelled images of one size, as read from disk.
 *
 * <p>{@code pixels} holds unsigned 8-bit values in NCHW order: image after image, channel after channel
 * within an image, rows of {@code width} within a channel. Image {@code i} starts at
 * {@code i * imageSize()}. {@code labels[i]} is the class of image {@code i}, an index into
 * {@code classNames}.
 *
 * <p>The arrays are shared, not copied: the accessors hand out the arrays this record was built from, so
 * a training loop can index them without copying tens of megabytes per batch. Treat them as read-only;
 * {@link #slice}, {@link #firstN}, {@link #select} and {@link #concat} return copies.
 *
 * @param name       what the images are, e.g. {@code fashion-mnist/train}
 * @param channels   colour channels per image (1 for grey, 3 for RGB)
 * @param height     rows per image
 * @param width      columns per image
 * @param pixels     {@code size() * channels * height * width} unsigned bytes, NCHW
 * @param labels     one class index per image, each in {@code 0 .. classNames.size() - 1}
 * @param classNames the name of every class, in label order
 */
public record ImageDataset(
        String name, int channels, int height, int width, byte[] pixels, int[] labels, List<String> classNames) {

    public ImageDataset {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    name + ": channels, height and width must be positive, got " + channels + "x" + height + "x"
                            + width);
        }
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(classNames, "classNames");
        classNames = List.copyOf(classNames);
        if (classNames.isEmpty()) {
            throw new IllegalArgumentException(name + ": at least one class name is required");
        }
        long imageSize = (long) channels * height * width;
        if (pixels.length != labels.length * imageSize) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels need " + labels.length
                    + " x " + imageSize + " = " + labels.length * imageSize + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is out of range 0.." + (classNames.size() - 1));
            }
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Bytes (and floats) per image: {@code channels * height * width}. */
    public int imageSize() {
        return channels * height * width;
    }

    public int classCount() {
        return classNames.size();
    }

    /** How many images each class has, indexed by label. */
    public int[] classCounts() {
        int[] counts = new int[classCount()];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied into a new data set. */
    public ImageDataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        return new ImageDataset(
                name + "[" + from + ".." + to + ")",
                channels,
                height,
                width,
                Arrays.copyOfRange(pixels, from * imageSize(), to * imageSize()),
                Arrays.copyOfRange(labels, from, to),
                classNames);
    }

    /** The first {@code count} images, copied: for short runs and smoke tests. */
    public ImageDataset firstN(int count) {
        return slice(0, count);
    }

    /**
     * The images at {@code indices}, in that order, copied into a new data set: for shuffled or held-out
     * splits.
     */
    public ImageDataset select(int[] indices) {
        int imageSize = imageSize();
        byte[] selectedPixels = new byte[Math.multiplyExact(indices.length, imageSize)];
        int[] selectedLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            int source = Objects.checkIndex(indices[i], size());
            System.arraycopy(pixels, source * imageSize, selectedPixels, i * imageSize, imageSize);
            selectedLabels[i] = labels[source];
        }
        return new ImageDataset(
                name + "[" + indices.length + " selected]",
                channels,
                height,
                width,
                selectedPixels,
                selectedLabels,
                classNames);
    }

    /**
     * These images followed by {@code more}, copied into a new data set: for a split made of two parts.
     *
     * @throws IllegalArgumentException if {@code more}'s images are of another size or its classes differ
     */
    public ImageDataset concat(ImageDataset more) {
        if (more.channels != channels || more.height != height || more.width != width
                || !more.classNames.equals(classNames)) {
            throw new IllegalArgumentException("cannot append " + more + " to " + this
                    + ": the images' size and classes must be the same");
        }
        byte[] joinedPixels = Arrays.copyOf(pixels, pixels.length + more.pixels.length);
        System.arraycopy(more.pixels, 0, joinedPixels, pixels.length, more.pixels.length);
        int[] joinedLabels = Arrays.copyOf(labels, labels.length + more.labels.length);
        System.arraycopy(more.labels, 0, joinedLabels, labels.length, more.labels.length);
        return new ImageDataset(name + "+" + more.name, channels, height, width, joinedPixels, joinedLabels,
                classNames);
    }

    /**
     * Pixels of images {@code from} (inclusive) to {@code to} (exclusive) as floats in [0, 1] (byte / 255),
     * NCHW: the input a network takes before its own normalisation.
     */
    public float[] pixelsAsFloats(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        int start = from * imageSize();
        float[] floats = new float[(to - from) * imageSize()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = (pixels[start + i] & 0xff) / 255f;
        }
        return floats;
    }

    /** Equal when every field and every pixel and label are equal (the record default compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof ImageDataset that
                && name.equals(that.name)
                && channels == that.channels
                && height == that.height
                && width == that.width
                && Arrays.equals(labels, that.labels)
                && Arrays.equals(pixels, that.pixels)
                && classNames.equals(that.classNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, channels, height, width, Arrays.hashCode(labels), Arrays.hashCode(pixels),
                classNames);
    }

    /** A summary, not the pixels: {@code fashion-mnist/train: 60000 images of 1x28x28, 10 classes}. */
    @Override
    public String toString() {
        return name + ": " + size() + " images of " + channels + "x" + height + "x" + width + ", " + classCount()
                + " classes";
    }
}
