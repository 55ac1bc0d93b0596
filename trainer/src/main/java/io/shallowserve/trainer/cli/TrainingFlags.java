package io.shallowserve.trainer.cli;

import io.shallowserve.trainer.data.DataLocator;
import io.shallowserve.trainer.data.DataSplits;
import io.shallowserve.trainer.data.DatasetKind;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The data and training flags `train` and `distill` share; the defaults are the committed default pair's. */
final class TrainingFlags {

    @Option(names = "--data", description = "folder with the data set's files (else $SHALLOWSERVE_DATA, else"
            + " /usr/share/datasets/<dataset>)")
    Path dataFolder;

    @Option(names = "--epochs", defaultValue = "12")
    int epochs;

    @Option(names = "--batch-size", defaultValue = "128")
    int batchSize;

    @Option(names = "--learning-rate", defaultValue = "0.003")
    float learningRate;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--validation", defaultValue = "5000", description = "images held out of the training split")
    int validation;

    @Option(names = "--train-limit", defaultValue = "0", description = "use only the first N training images (0 = all)")
    int trainLimit;

    @Option(names = "--max-steps-per-epoch", defaultValue = "0", description = "cut epochs short (0 = no limit)")
    int maxStepsPerEpoch;

    TrainingOptions options() {
        return new TrainingOptions(epochs, batchSize, learningRate, seed, maxStepsPerEpoch);
    }

    /** Finds and reads {@code kind}, then splits it as these flags say. */
    TrainingData data(DatasetKind kind) throws IOException {
        Path folder = DataLocator.fromSystem().locate(kind, dataFolder);
        return TrainingData.prepare(DataSplits.load(kind, folder), trainLimit, validation, seed);
    }
}
