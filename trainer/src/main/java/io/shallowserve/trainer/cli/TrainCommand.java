package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.train.ModelTraining;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.ValidationSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trainer train}: trains one spec in one or more shapes and writes each as
 * {@code <output>/<name>-<shape>/<version>/}. The defaults are the committed default pair's, but for the
 * validation split: that pair held out 5,000 images ({@code --validation 5000}), the default now is a tenth.
 */
// No mixinStandardHelpOptions: picocli leaves the whole mixin out when a command has an option of its names, and
// --version is the model version here; so --help is declared on its own.
@Command(name = "train",
        description = "Train a network (deep, shallow, both, tat or parnet: one spec's shapes) and export it to ONNX.")
final class TrainCommand implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    enum Shapes {
        DEEP, SHALLOW, BOTH, TAT, PARNET;

        List<NetworkShape> list() {
            return switch (this) {
                case DEEP -> List.of(NetworkShape.DEEP);
                case SHALLOW -> List.of(NetworkShape.SHALLOW);
                case BOTH -> List.of(NetworkShape.DEEP, NetworkShape.SHALLOW);
                case TAT -> List.of(NetworkShape.TAT);
                case PARNET -> List.of(NetworkShape.PARNET);
            };
        }
    }

    @Option(names = "--dataset", defaultValue = "fashion-mnist",
            description = "fashion-mnist, mnist or cifar10 (default: ${DEFAULT-VALUE})")
    String dataset;

    @Option(names = "--shape", defaultValue = "both",
            description = "deep, shallow, both, tat: the units chained without residual adds or batch norm, TAT's"
                    + " leaky ReLU (whatever --activation and --batch-norm say), or parnet: the units in --streams"
                    + " residual chains side by side, all but the first on the map pooled 2x2"
                    + " (default: ${DEFAULT-VALUE})")
    Shapes shapes;

    @Option(names = "--width", defaultValue = "24", description = "channels C of the stem and every unit")
    int width;

    @Option(names = "--units", defaultValue = "8", description = "number of units L")
    int units;

    @Option(names = "--stem-kernel", defaultValue = "3")
    int stemKernel;

    @Option(names = "--unit-kernel", defaultValue = "3")
    int unitKernel;

    @Option(names = "--stem-pool", defaultValue = "true", negatable = true,
            description = "2x2 max pool after the stem (default: ${DEFAULT-VALUE})")
    boolean stemPool;

    @Option(names = "--activation", defaultValue = "relu", description = "relu or leaky_relu")
    Activation activation;

    @Option(names = "--batch-norm", defaultValue = "true", negatable = true,
            description = "batch norm after each convolution, folded into it at export (default: ${DEFAULT-VALUE})")
    boolean batchNorm;

    @Option(names = "--head-pool", defaultValue = "7",
            description = "average-pool grid before the dense layer; 1 = global average pool")
    int headPool;

    @Option(names = "--branch-mean",
            description = "shallow shape: x + (1/L) sum_k F_k(x) instead of the paper's unscaled sum")
    boolean branchMean;

    @Option(names = "--streams", defaultValue = "2",
            description = "parnet shape: streams of units/streams units each (default: ${DEFAULT-VALUE})")
    int streams;

    @Mixin
    TrainingFlags training;

    @Option(names = "--output", defaultValue = "models", description = "model repository to write into")
    Path output;

    @Option(names = "--name", defaultValue = "fashion",
            description = "model name prefix; each shape is written as <name>-<shape>")
    String name;

    @Option(names = "--version", defaultValue = "1", description = "version folder to write")
    int version;

    @Override
    public Integer call() throws Exception {
        DatasetKind kind = DatasetKind.fromId(dataset);
        ArchitectureSpec spec = new ArchitectureSpec(kind.channels(), kind.height(), kind.width(),
                kind.classNames().size(), width, stemKernel, stemPool, units, unitKernel, activation, batchNorm,
                headPool, branchMean, streams);
        // Before the data is read: a spec the shape cannot take (parnet streams that do not fit) fails at once.
        long parameters = spec.forShape(shapes.list().getFirst()).parameterCount();
        TrainingOptions options = training.options();
        TrainingData data = training.data(kind, ValidationSplit.DEFAULT);
        System.out.printf("%s: %d training, %d validation, %d test images; %d parameters per shape%n",
                kind.displayName(), data.training().size(), data.validation().size(), data.test().size(), parameters);

        List<ModelManifest> trained = new ArrayList<>();
        for (NetworkShape shape : shapes.list()) {
            trained.add(ModelTraining.run(spec, shape, data, options, output, name + "-" + shape.id(), version));
        }
        System.out.println();
        System.out.print(Comparison.table(trained));
        return 0;
    }
}
