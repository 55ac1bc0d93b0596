package io.shallowserve.trainer.train;

import ai.djl.engine.Engine;
import io.shallowserve.runtime.data.Normalization;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.Sha256;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.export.ExportedModel;
import io.shallowserve.trainer.export.OnnxExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One model from data to repository: trains a network of one shape, measures it on every split, exports
 * its graphs and writes model.json into {@code <repository>/<name>/<version>/}. With early stopping, the weights
 * measured and exported are those of the epoch with the lowest validation loss.
 */
public final class ModelTraining {

    public static final String METRICS_FILE = "metrics.csv";

    private ModelTraining() {
    }

    /**
     * @throws IOException if the version folder already holds files (a new version never mixes with an old one)
     *                     or writing fails
     */
    public static ModelManifest run(
            ArchitectureSpec spec,
            NetworkShape shape,
            TrainingData data,
            TrainingOptions options,
            Path repository,
            String name,
            int version)
            throws IOException {
        Path versionFolder = repository.resolve(name).resolve(Integer.toString(version));
        if (Files.isDirectory(versionFolder)) {
            try (var entries = Files.list(versionFolder)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(versionFolder + " already holds a model: choose another --version, or"
                            + " remove the folder first");
                }
            }
        }
        Files.createDirectories(versionFolder);
        ResidualNetwork network = ResidualNetwork.create(
                spec, shape, data.normalization().mean(), data.normalization().std());
        ArchitectureSpec built = network.spec();
        try (NetworkTrainer trainer = NetworkTrainer.create(network, options.seed())) {
            long started = System.nanoTime();
            NetworkTrainer.History history =
                    trainer.train(data.training(), data.validation(), options, versionFolder.resolve(METRICS_FILE));
            double seconds = (System.nanoTime() - started) / 1e9;

            Map<String, ModelManifest.Split> metrics = new LinkedHashMap<>();
            metrics.put("train", split(trainer.evaluate(data.training())));
            if (data.validation().size() > 0) {
                metrics.put("validation", split(trainer.evaluate(data.validation())));
            }
            metrics.put("test", split(trainer.evaluate(data.test())));

            ExportedModel exported = OnnxExporter.export(network.fold(), versionFolder);
            Map<String, String> files = new LinkedHashMap<>();
            for (String file : exported.files()) {
                files.put(file, Sha256.ofFile(exported.resolve(file)));
            }
            ModelManifest manifest = new ModelManifest(
                    ModelManifest.FORMAT,
                    name,
                    version,
                    shape.id(),
                    built.toManifest(),
                    built.parameterCount(),
                    OnnxExporter.inputTensor(built),
                    OnnxExporter.outputTensor(built),
                    normalization(data.normalization()),
                    data.test().classNames(),
                    new ModelManifest.Dataset(data.kind().id(), data.training().size(), data.validation().size(),
                            data.test().size()),
                    new ModelManifest.Training(framework(), optimizer(options, history), history.keptEpoch(),
                            options.batchSize(), options.learningRate(), options.seed(), seconds, METRICS_FILE),
                    metrics,
                    shape.hasBranches() ? OnnxExporter.branches(built, shape) : null,
                    files);
            manifest.write(versionFolder);
            return manifest;
        }
    }

    /** What trained it, read from the libraries themselves, e.g. "DJL 0.36.0, PyTorch 2.7.1". */
    private static String framework() {
        Engine engine = Engine.getInstance();
        return "DJL " + Engine.getDjlVersion() + ", " + engine.getEngineName() + " " + engine.getVersion();
    }

    /**
     * How the weights came about; with early stopping, also when it stopped and which epoch's weights these are
     * (the manifest's epochs field is that epoch; metrics.csv has every epoch trained).
     */
    private static String optimizer(TrainingOptions options, NetworkTrainer.History history) {
        if (!options.stopsEarly()) {
            return "adam, cosine learning-rate decay";
        }
        return String.format(Locale.ROOT, "adam, cosine learning-rate decay over %d epochs, early stopping with"
                        + " patience %d: %s after %d epochs, weights of epoch %d (lowest validation loss)",
                options.epochs(), options.patience(), history.stoppedEarly(options) ? "stopped" : "ran all",
                history.epochs().size(), history.keptEpoch());
    }

    private static ModelManifest.Split split(Evaluation evaluation) {
        return new ModelManifest.Split(evaluation.loss(), evaluation.accuracy());
    }

    private static ModelManifest.Normalization normalization(Normalization statistics) {
        List<Float> mean = new ArrayList<>();
        List<Float> std = new ArrayList<>();
        for (int c = 0; c < statistics.mean().length; c++) {
            mean.add(statistics.mean()[c]);
            std.add(statistics.std()[c]);
        }
        return new ModelManifest.Normalization(mean, std);
    }
}
