package io.shallowserve.trainer.train;

import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.runtime.data.Normalization;
import java.util.Arrays;
import java.util.Random;

/**
 * The three splits a run uses: training, validation (held out of the official training split at random)
 * and the official test split, plus the normalisation computed from the training part alone.
 */
public record TrainingData(
        DatasetKind kind,
        ImageDataset training,
        ImageDataset validation,
        ImageDataset test,
        Normalization normalization) {

    /**
     * @param trainLimit use only the first this many training images (0 = all): for short runs
     * @param holdOut    how many of those are held out of the training split, chosen with {@code seed}
     */
    public static TrainingData prepare(DataSplits splits, int trainLimit, ValidationSplit holdOut, long seed) {
        ImageDataset official = trainLimit > 0 && trainLimit < splits.train().size()
                ? splits.train().firstN(trainLimit)
                : splits.train();
        int validationSize = holdOut.size(official.size());
        int[] shuffled = Permutation.of(official.size(), new Random(seed));
        ImageDataset validation = official.select(Arrays.copyOfRange(shuffled, 0, validationSize));
        ImageDataset training = official.select(Arrays.copyOfRange(shuffled, validationSize, shuffled.length));
        return new TrainingData(splits.kind(), training, validation, splits.test(), Normalization.of(training));
    }
}
