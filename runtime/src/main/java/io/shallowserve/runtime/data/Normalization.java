package io.shallowserve.runtime.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel mean and standard deviation of a training set, in [0, 1] pixel units: a model normalises
 * its input as {@code (pixel / 255 - mean[c]) / std[c]} inside its own graph, so callers (and the server)
 * send plain [0, 1] pixels.
 *
 * <p>The arrays are copied in and out, so a value once made cannot change.
 *
 * @param mean mean of channel c over every pixel of every image
 * @param std  population standard deviation of channel c, positive
 */
public record Normalization(float[] mean, float[] std) {

    public Normalization {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per channel, got " + mean.length
                    + " means and " + std.length + " standard deviations");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean of channel " + c + " is " + mean[c]);
            }
            // Dividing by zero would turn the channel into NaN or infinity in the model.
            if (!(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std of channel " + c + " must be positive, got " + std[c]
                        + " (all its pixels are equal?)");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * Mean and standard deviation of each channel over all pixels of {@code training}, scaled to [0, 1].
     * Computed from the training split only, so nothing about the test split leaks into the model.
     */
    public static Normalization of(ImageDataset training) {
        if (training.size() == 0) {
            throw new IllegalArgumentException(training.name() + ": no images to compute a normalisation from");
        }
        int channels = training.channels();
        int channelSize = training.height() * training.width();
        byte[] pixels = training.pixels();
        // Integer sums are exact: even 2^31 bytes of 255^2 stay far below Long.MAX_VALUE.
        long[] sums = new long[channels];
        long[] squareSums = new long[channels];
        for (int image = 0; image < training.size(); image++) {
            for (int c = 0; c < channels; c++) {
                int start = (image * channels + c) * channelSize;
                long sum = 0;
                long squareSum = 0;
                for (int p = start; p < start + channelSize; p++) {
                    int value = pixels[p] & 0xff;
                    sum += value;
                    squareSum += value * value;
                }
                sums[c] += sum;
                squareSums[c] += squareSum;
            }
        }
        double count = (double) training.size() * channelSize;
        float[] mean = new float[channels];
        float[] std = new float[channels];
        for (int c = 0; c < channels; c++) {
            double meanByte = sums[c] / count;
            double varianceByte = Math.max(0, squareSums[c] / count - meanByte * meanByte);
            mean[c] = (float) (meanByte / 255);
            std[c] = (float) (Math.sqrt(varianceByte) / 255);
        }
        return new Normalization(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    /** A copy: the record's own array stays unchanged. */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /** A copy: the record's own array stays unchanged. */
    @Override
    public float[] std() {
        return std.clone();
    }

    /** Equal when every mean and std is equal (the record default compares arrays by identity). */
    @Override
    public boolean equals(Object other) {
        return other instanceof Normalization that && Arrays.equals(mean, that.mean) && Arrays.equals(std, that.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
