package io.shallowserve.trainer.train;

/**
 * How one network is trained.
 *
 * @param epochs          passes over the training split
 * @param batchSize       images per optimiser step
 * @param learningRate    Adam's starting rate; it decays along a cosine to 1% of this by the last step
 * @param seed            seeds weight initialisation and the batch order
 * @param maxStepsPerEpoch stops an epoch early (0 = no limit): short runs for tests and smoke checks
 * @param showProgress    a progress bar and a line per epoch on the console; a sweep turns them off and shows its
 *                        own bar over all its runs
 */
public record TrainingOptions(
        int epochs, int batchSize, float learningRate, long seed, int maxStepsPerEpoch, boolean showProgress) {

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (maxStepsPerEpoch < 0) {
            throw new IllegalArgumentException("max steps per epoch must not be negative, got " + maxStepsPerEpoch);
        }
    }

    /** Options of a run that shows its progress. */
    public TrainingOptions(int epochs, int batchSize, float learningRate, long seed, int maxStepsPerEpoch) {
        this(epochs, batchSize, learningRate, seed, maxStepsPerEpoch, true);
    }
}
