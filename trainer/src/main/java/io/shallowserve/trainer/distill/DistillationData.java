package io.shallowserve.trainer.distill;

import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.ValidationSplit;
import java.util.Objects;

/**
 * The images a distillation's networks learn from. The label student learns the labels of {@code labelled}'s training
 * split, the images the teacher learnt from; the mimic learns the teacher's logits on more: those images, the
 * {@code unlabelled} ones (training images whose labels no network of the run learns) and {@code augmentedCopies}
 * moved copies of each ({@link AugmentedCopies}). Ba and Caruana's mimics learnt on CIFAR-10 from the labelled
 * images and 1.6 million unlabelled ones scored by the teacher. The unlabelled images keep their labels only because
 * every {@link ImageDataset} has them: no loss reads them, the training accuracy a run prints counts them.
 *
 * @param labelled        training, validation and test splits as the teacher and the label student have them
 * @param unlabelled      images only the mimic learns from (empty for none)
 * @param augmentedCopies moved copies of every labelled and unlabelled image the mimic also learns from (0 = none)
 */
public record DistillationData(TrainingData labelled, ImageDataset unlabelled, int augmentedCopies) {

    public DistillationData {
        Objects.requireNonNull(labelled, "labelled");
        Objects.requireNonNull(unlabelled, "unlabelled");
        if (augmentedCopies < 0) {
            throw new IllegalArgumentException("augmented copies must not be negative, got " + augmentedCopies);
        }
    }

    /** The mimic learns from the label student's images alone, as in Ba and Caruana's TIMIT runs. */
    public static DistillationData labelledOnly(TrainingData labelled) {
        return new DistillationData(labelled, labelled.training().firstN(0), 0);
    }

    /**
     * Splits the official training split: its first {@code labelledImages} images are prepared as
     * {@link TrainingData#prepare} prepares a {@code --train-limit} of that many (the same validation images for the
     * same seed, so a teacher trained that way learnt from exactly the label student's images), the rest up to
     * {@code trainLimit} are unlabelled.
     *
     * @param trainLimit     use only the first this many training images (0 = all): for short runs
     * @param labelledImages how many of those are labelled (0 = all of them, none unlabelled)
     * @throws IllegalArgumentException if {@code labelledImages} is negative or leaves no image unlabelled
     */
    public static DistillationData split(DataSplits splits, int trainLimit, int labelledImages,
            ValidationSplit holdOut, long seed, int augmentedCopies) {
        int available = trainLimit > 0 ? Math.min(trainLimit, splits.train().size()) : splits.train().size();
        if (labelledImages == 0) {
            TrainingData labelled = TrainingData.prepare(splits, available, holdOut, seed);
            return new DistillationData(labelled, labelled.training().firstN(0), augmentedCopies);
        }
        if (labelledImages < 0 || labelledImages >= available) {
            throw new IllegalArgumentException("labelled images must be at least 1 and below the " + available
                    + " training images, leaving some unlabelled; got " + labelledImages);
        }
        return new DistillationData(TrainingData.prepare(splits, labelledImages, holdOut, seed),
                splits.train().slice(labelledImages, available), augmentedCopies);
    }

    /**
     * The images the mimic learns from: the labelled training images, the unlabelled ones, then the copies.
     *
     * @param seed the same seed moves the copies the same way
     */
    ImageDataset mimicTraining(long seed) {
        ImageDataset images = unlabelled.size() == 0 ? labelled.training() : labelled.training().concat(unlabelled);
        return AugmentedCopies.of(images, augmentedCopies, seed);
    }
}
