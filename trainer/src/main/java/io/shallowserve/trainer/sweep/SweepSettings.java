package io.shallowserve.trainer.sweep;

import io.shallowserve.trainer.train.TrainingOptions;

/**
 * What every run of a sweep shares. A results folder holds rows of one settings only (they would not be
 * comparable otherwise); the grid's axes may grow between invocations.
 *
 * @param epochs           passes over the training split
 * @param batchSize        images per step
 * @param learningRate     Adam's starting rate (cosine decay to 1%)
 * @param trainLimit       use only the first N official training images (0 = all), validation included
 * @param validation       images held out of those for validation
 * @param maxStepsPerEpoch cut epochs short (0 = no limit); smoke runs only
 * @param stemKernel       stem convolution size
 * @param stemPool         2x2 max pool after the stem
 * @param batchNorm        batch norm after each convolution
 * @param headPool         average-pool grid before the dense layer
 * @param latencyWarmup    untimed runs of each plan before timing
 * @param latencyRuns      timed batch-1 runs of each plan per pair (0 = do not measure latency)
 */
public record SweepSettings(
        int epochs,
        int batchSize,
        float learningRate,
        int trainLimit,
        int validation,
        int maxStepsPerEpoch,
        int stemKernel,
        boolean stemPool,
        boolean batchNorm,
        int headPool,
        int latencyWarmup,
        int latencyRuns) {

    public SweepSettings {
        // Checks the training options here, before any run, rather than in the first run.
        new TrainingOptions(epochs, batchSize, learningRate, 1, maxStepsPerEpoch, false);
        if (trainLimit < 0 || validation < 0) {
            throw new IllegalArgumentException("train limit and validation must not be negative, got " + trainLimit
                    + " and " + validation);
        }
        if (latencyRuns < 0 || latencyWarmup < 0) {
            throw new IllegalArgumentException("latency runs and warm-up must not be negative, got " + latencyRuns
                    + " and " + latencyWarmup);
        }
    }

    /** How each network of a point with this seed is trained; quiet, since the sweep shows its own progress. */
    public TrainingOptions trainingOptions(long seed) {
        return new TrainingOptions(epochs, batchSize, learningRate, seed, maxStepsPerEpoch, false);
    }

    /** Training examples a run learns from in each epoch: the whole split, or fewer when epochs are cut short. */
    public int examplesPerEpoch(int trainingImages) {
        return maxStepsPerEpoch == 0 ? trainingImages : Math.min(trainingImages, maxStepsPerEpoch * batchSize);
    }
}
