package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.trainer.distill.DistillationData;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.ValidationSplit;
import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The data and training flags `train` and `distill` share; the defaults are the committed default pair's. */
final class TrainingFlags {

    @Mixin
    DataFlag data;

    @Option(names = "--epochs", defaultValue = "12",
            description = "passes over the training split; with --patience, the most (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--patience", defaultValue = "0",
            description = "stop after this many epochs without a lower validation loss, and keep (export) the"
                    + " weights of the epoch with the lowest; 0 = train every epoch, keep the last"
                    + " (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.003")
    float learningRate;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Mixin
    ValidationFlags validation;

    @Option(names = "--train-limit", defaultValue = "0", description = "use only the first N training images (0 = all)")
    int trainLimit;

    @Option(names = "--max-steps-per-epoch", defaultValue = "0", description = "cut epochs short (0 = no limit)")
    int maxStepsPerEpoch;

    @Mixin
    ProgressFlag progress;

    TrainingOptions options() {
        return new TrainingOptions(epochs, patience, batchSize, learningRate, seed, maxStepsPerEpoch,
                progress.progress());
    }

    /**
     * Finds and reads {@code kind}, then splits it as these flags say.
     *
     * @param validationDefault the validation split when neither validation flag is given
     */
    TrainingData data(DatasetKind kind, ValidationSplit validationDefault) throws IOException {
        ValidationSplit split = validation.split(validationDefault);
        return TrainingData.prepare(data.load(kind), trainLimit, split, seed);
    }

    /**
     * As {@link #data}, for a distillation whose mimic may learn from more images than the labelled ones.
     *
     * @param labelledImages the first this many training images are labelled, the rest unlabelled (0 = all labelled)
     * @param augmentedCopies moved copies of every image the mimic learns from (0 = none)
     */
    DistillationData distillationData(DatasetKind kind, ValidationSplit validationDefault, int labelledImages,
            int augmentedCopies) throws IOException {
        return DistillationData.split(data.load(kind), trainLimit, labelledImages, validation.split(validationDefault),
                seed, augmentedCopies);
    }
}
