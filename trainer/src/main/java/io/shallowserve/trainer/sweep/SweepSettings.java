package io.shallowserve.trainer.sweep;

import io.shallowserve.trainer.train.Progress;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.ValidationSplit;

/**
 * What every run of a sweep shares. A results folder holds rows of one settings only (they would not be
 * comparable otherwise); the grid's axes may grow between invocations. Settings read from a sweep.json written
 * before a field existed get 0 for it: no early stopping, a fixed validation split.
 *
 * @param epochs             passes over the training split; with {@code patience}, the most
 * @param patience           stop a run after this many epochs without a lower validation loss and keep the weights
 *                           of the epoch with the lowest (0 = every epoch, the last weights)
 * @param batchSize          images per step
 * @param learningRate       Adam's starting rate (cosine decay to 1% over {@code epochs})
 * @param trainLimit         use only the first N official training images (0 = all), validation included
 * @param validation         images held out of those for validation, when {@code validationFraction} is 0
 * @param validationFraction share of those held out for validation (0 = {@code validation} images), see
 *                           {@link ValidationSplit#size}
 * @param maxStepsPerEpoch   cut epochs short (0 = no limit); smoke runs only
 * @param stemKernel         stem convolution size
 * @param stemPool           2x2 max pool after the stem
 * @param batchNorm          batch norm after each convolution
 * @param headPool           average-pool grid before the dense layer
 * @param latencyWarmup      untimed runs of each plan before timing
 * @param latencyRuns        timed batch-1 runs of each plan per pair (0 = do not measure latency)
 */
public record SweepSettings(
        int epochs,
        int patience,
        int batchSize,
        float learningRate,
        int trainLimit,
        int validation,
        double validationFraction,
        int maxStepsPerEpoch,
        int stemKernel,
        boolean stemPool,
        boolean batchNorm,
        int headPool,
        int latencyWarmup,
        int latencyRuns) {

    public SweepSettings {
        // Checks the training options and the split here, before any run, rather than in the first run.
        new TrainingOptions(epochs, patience, batchSize, learningRate, 1, maxStepsPerEpoch, Progress.QUIET);
        new ValidationSplit(validation, validationFraction);
        if (trainLimit < 0) {
            throw new IllegalArgumentException("train limit must not be negative, got " + trainLimit);
        }
        if (latencyRuns < 0 || latencyWarmup < 0) {
            throw new IllegalArgumentException("latency runs and warm-up must not be negative, got " + latencyRuns
                    + " and " + latencyWarmup);
        }
    }

    /** How each network of a point with this seed is trained. */
    public TrainingOptions trainingOptions(long seed, Progress progress) {
        return new TrainingOptions(epochs, patience, batchSize, learningRate, seed, maxStepsPerEpoch, progress);
    }

    /** How many training images each run holds out. */
    public ValidationSplit validationSplit() {
        return new ValidationSplit(validation, validationFraction);
    }

    /** Training examples a run learns from in each epoch: the whole split, or fewer when epochs are cut short. */
    public int examplesPerEpoch(int trainingImages) {
        return maxStepsPerEpoch == 0 ? trainingImages : Math.min(trainingImages, maxStepsPerEpoch * batchSize);
    }
}
