package io.shallowserve.trainer.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.RealData;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.Sha256;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.TatSlope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short real training run on a slice of Fashion-MNIST, written into a model repository. */
class ModelTrainingTest {

    private static final ArchitectureSpec SPEC =
            new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 2);

    @TempDir
    Path repository;

    @Test
    void run_shallowOnFashionMnistSlice_learnsAndWritesVersionFolder() throws Exception {
        TrainingData data = TrainingData.prepare(RealData.fashionMnist(), 6000, ValidationSplit.ofImages(1000), 3);
        // 2 epochs of 5000 images at batch 32: 314 steps.
        TrainingOptions options = new TrainingOptions(2, 0, 32, 0.005f, 3, 0, Progress.LINES);

        ModelManifest manifest = ModelTraining.run(SPEC, NetworkShape.SHALLOW, data, options, repository, "tiny", 1);

        Path version = repository.resolve("tiny/1");
        assertThat(ModelRepository.verify(version).manifest()).usingRecursiveComparison().isEqualTo(manifest);
        assertThat(manifest.shape()).isEqualTo("shallow");
        assertThat(manifest.parameters()).isEqualTo(SPEC.parameterCount());
        assertThat(manifest.dataset()).isEqualTo(new ModelManifest.Dataset("fashion-mnist", 5000, 1000, 10000));
        assertThat(manifest.input()).isEqualTo(new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L)));
        assertThat(manifest.labels()).hasSize(10).contains("Ankle boot");
        // Ten classes: chance is 0.1. Three hundred steps of this small network get well past it.
        assertThat(manifest.metrics().get("test").accuracy()).isGreaterThan(0.6);
        assertThat(manifest.metrics().keySet()).containsExactly("train", "validation", "test");

        assertThat(manifest.files().keySet()).containsExactly("model.onnx", "branches/stem.onnx",
                "branches/branch-0.onnx", "branches/branch-1.onnx", "branches/head.onnx");
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            assertThat(Sha256.ofFile(version.resolve(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue());
        }
        assertThat(manifest.branches().branches()).containsExactly("branches/branch-0.onnx", "branches/branch-1.onnx");

        List<String> metrics = Files.readAllLines(version.resolve(ModelTraining.METRICS_FILE));
        assertThat(metrics).hasSize(3);
        assertThat(metrics.get(0)).startsWith("epoch,train_loss,train_accuracy,validation_loss");
        double firstEpochLoss = Double.parseDouble(metrics.get(1).split(",")[1]);
        double secondEpochLoss = Double.parseDouble(metrics.get(2).split(",")[1]);
        assertThat(secondEpochLoss).isLessThan(firstEpochLoss);
    }

    @Test
    void run_tatOnFashionMnistSlice_learnsAndRecordsItsSlope() throws Exception {
        TrainingData slice = TrainingData.prepare(RealData.fashionMnist(), 2000, ValidationSplit.ofImages(500), 4);
        TrainingData data = new TrainingData(slice.kind(), slice.training(), slice.validation(),
                slice.test().firstN(2000), slice.normalization());
        // 14 units: with the stem's, 15 activations, deep enough for eta 0.9 with a slope above 0.
        ArchitectureSpec spec = new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 14, 3, Activation.RELU, true, 2);
        // 2 epochs of 40 steps at batch 32.
        TrainingOptions options = new TrainingOptions(2, 0, 32, 0.003f, 4, 40, Progress.QUIET);

        ModelManifest manifest = ModelTraining.run(spec, NetworkShape.TAT, data, options, repository, "chain", 1);

        Path version = repository.resolve("chain/1");
        assertThat(ModelRepository.verify(version).manifest()).usingRecursiveComparison().isEqualTo(manifest);
        assertThat(manifest.shape()).isEqualTo("tat");
        assertThat(manifest.architecture().activation()).isEqualTo("TAT_LEAKY_RELU");
        assertThat(manifest.architecture().batchNorm()).isFalse();
        assertThat(manifest.architecture().leakyReluSlope()).isEqualTo(TatSlope.of(spec.forShape(NetworkShape.TAT)))
                .isBetween(0.01f, 1f);
        assertThat(manifest.parameters()).isEqualTo(spec.parameterCount() - 15 * 2 * 8);
        assertThat(manifest.files().keySet()).containsExactly("model.onnx");
        assertThat(manifest.branches()).isNull();

        List<String> metrics = Files.readAllLines(version.resolve(ModelTraining.METRICS_FILE));
        double firstEpochLoss = Double.parseDouble(metrics.get(1).split(",")[1]);
        double secondEpochLoss = Double.parseDouble(metrics.get(2).split(",")[1]);
        // Without shortcuts or batch norm, 15 activations deep, it trains: the first epoch's mean loss is already
        // below chance's (ln 10), the second's lower, and 80 steps take test accuracy far past chance (0.1).
        assertThat(firstEpochLoss).isLessThan(Math.log(10));
        assertThat(secondEpochLoss).isLessThan(firstEpochLoss);
        assertThat(manifest.metrics().get("test").accuracy()).isGreaterThan(0.3);
    }

    @Test
    void run_parnetOnFashionMnistSlice_learnsAndRecordsItsStreamsAsBranches() throws Exception {
        TrainingData slice = TrainingData.prepare(RealData.fashionMnist(), 2000, ValidationSplit.ofImages(500), 5);
        TrainingData data = new TrainingData(slice.kind(), slice.training(), slice.validation(),
                slice.test().firstN(2000), slice.normalization());
        ArchitectureSpec spec = new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 4, 3, Activation.RELU, true, 2, false,
                2);
        // 2 epochs of 40 steps at batch 32.
        TrainingOptions options = new TrainingOptions(2, 0, 32, 0.003f, 5, 40, Progress.QUIET);

        ModelManifest manifest = ModelTraining.run(spec, NetworkShape.PARNET, data, options, repository, "streams", 1);

        Path version = repository.resolve("streams/1");
        assertThat(ModelRepository.verify(version).manifest()).usingRecursiveComparison().isEqualTo(manifest);
        assertThat(manifest.shape()).isEqualTo("parnet");
        assertThat(manifest.architecture().streams()).isEqualTo(2);
        assertThat(manifest.parameters()).isEqualTo(spec.forShape(NetworkShape.DEEP).parameterCount());
        assertThat(manifest.files().keySet()).containsExactly("model.onnx", "branches/stem.onnx",
                "branches/branch-0.onnx", "branches/branch-1.onnx", "branches/head.onnx");
        assertThat(manifest.branches().branches()).containsExactly("branches/branch-0.onnx", "branches/branch-1.onnx");
        assertThat(manifest.branches().headInputs()).containsExactly("stem", "branch_sum");

        List<String> metrics = Files.readAllLines(version.resolve(ModelTraining.METRICS_FILE));
        double firstEpochLoss = Double.parseDouble(metrics.get(1).split(",")[1]);
        double secondEpochLoss = Double.parseDouble(metrics.get(2).split(",")[1]);
        // The pooled stream's gradients pass through the upsampling: it trains, 80 steps far past chance (0.1).
        assertThat(secondEpochLoss).isLessThan(firstEpochLoss);
        assertThat(manifest.metrics().get("test").accuracy()).isGreaterThan(0.4);
    }

    @Test
    void run_patienceOnATinySplit_stopsEarlyAndExportsTheBestEpochsWeights() throws Exception {
        // 700 images to train on at a high rate: a 35,000-parameter network overfits them within a few epochs.
        TrainingData data = TrainingData.prepare(RealData.fashionMnist(), 1400, ValidationSplit.ofFraction(0.5), 1);
        ArchitectureSpec wide = new ArchitectureSpec(1, 28, 28, 10, 32, 3, true, 2, 3, Activation.RELU, true, 7);
        TrainingOptions options = new TrainingOptions(30, 2, 32, 0.01f, 1, 0, Progress.QUIET);

        ModelManifest manifest = ModelTraining.run(wide, NetworkShape.DEEP, data, options, repository, "stopped", 1);

        List<String> lines = Files.readAllLines(repository.resolve("stopped/1").resolve(ModelTraining.METRICS_FILE));
        double[] validationLoss = lines.stream().skip(1).mapToDouble(line -> Double.parseDouble(line.split(",")[3]))
                .toArray();
        int best = 1;
        for (int epoch = 1; epoch <= validationLoss.length; epoch++) {
            if (validationLoss[epoch - 1] < validationLoss[best - 1]) {
                best = epoch;
            }
        }
        assertThat(validationLoss.length).isLessThan(options.epochs()).isEqualTo(best + options.patience());
        assertThat(manifest.training().epochs()).isEqualTo(best);
        assertThat(manifest.training().optimizer()).contains("stopped after " + validationLoss.length + " epochs")
                .contains("weights of epoch " + best);
        // Measured after training: the best epoch's weights, not the last epoch's.
        assertThat(manifest.metrics().get("validation").loss()).isCloseTo(validationLoss[best - 1], within(1e-5));
    }

    @Test
    void run_patienceWithoutValidationImages_refusedBeforeTraining() {
        TrainingData data = TrainingData.prepare(RealData.fashionMnist(), 200, ValidationSplit.ofImages(0), 3);

        assertThatThrownBy(() -> ModelTraining.run(SPEC, NetworkShape.DEEP, data,
                        new TrainingOptions(3, 1, 32, 0.003f, 3, 1, Progress.QUIET), repository, "blind", 1))
                .hasMessageContaining("early stopping (patience 1) needs validation images");
    }

    @Test
    void run_versionFolderAlreadyHoldsAModel_refusesToMixVersions() throws Exception {
        Path version = Files.createDirectories(repository.resolve("taken/1"));
        Files.writeString(version.resolve("model.json"), "{}");
        TrainingData data = TrainingData.prepare(RealData.fashionMnist(), 200, ValidationSplit.ofImages(0), 3);

        assertThatThrownBy(() -> ModelTraining.run(SPEC, NetworkShape.DEEP, data,
                        new TrainingOptions(1, 0, 32, 0.003f, 3, 1, Progress.QUIET), repository, "taken", 1))
                .hasMessageContaining("taken/1 already holds a model");
        assertThat(Files.readString(version.resolve("model.json"))).isEqualTo("{}");
    }

    @Test
    void prepare_sameSeed_sameSplit() {
        TrainingData first = TrainingData.prepare(RealData.fashionMnist(), 3000, ValidationSplit.ofImages(500), 11);
        TrainingData again = TrainingData.prepare(RealData.fashionMnist(), 3000, ValidationSplit.ofImages(500), 11);

        assertThat(first.training().size()).isEqualTo(2500);
        assertThat(first.validation().size()).isEqualTo(500);
        assertThat(again.validation()).isEqualTo(first.validation());
        assertThat(first.normalization()).isEqualTo(again.normalization());
    }
}
