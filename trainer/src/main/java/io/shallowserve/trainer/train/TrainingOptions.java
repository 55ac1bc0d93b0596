package io.shallowserve.trainer.train;

import java.util.Objects;

/**
 * How one network is trained.
 *
 * @param epochs           passes over the training split; with {@code patience}, the most
 * @param patience         stop after this many epochs without a lower validation loss and keep the weights of the
 *                         epoch with the lowest (0 = train every epoch and keep the last weights)
 * @param batchSize        images per optimiser step
 * @param learningRate     Adam's starting rate; it decays along a cosine to 1% of this by the last step of
 *                         {@code epochs}
 * @param seed             seeds weight initialisation and the batch order
 * @param maxStepsPerEpoch stops an epoch early (0 = no limit): short runs for tests and smoke checks
 * @param progress         what the run shows on standard output
 */
public record TrainingOptions(
        int epochs, int patience, int batchSize, float learningRate, long seed, int maxStepsPerEpoch,
        Progress progress) {

    public TrainingOptions {
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience must not be negative (0 = no early stopping), got "
                    + patience);
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
        Objects.requireNonNull(progress, "progress");
    }

    /** Whether the run stops early on the validation loss. */
    public boolean stopsEarly() {
        return patience > 0;
    }
}
