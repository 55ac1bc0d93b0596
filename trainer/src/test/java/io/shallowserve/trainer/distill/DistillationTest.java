package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.RealData;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.export.OnnxExporter;
import io.shallowserve.trainer.export.OrtGraph;
import io.shallowserve.trainer.train.NetworkTrainer;
import io.shallowserve.trainer.train.Progress;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.ValidationSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mimic learning from the committed deep model, on real Fashion-MNIST, in a few steps. */
class DistillationTest {

    private static final Path TEACHER = Path.of("..", "models", "fashion-deep", "1");
    private static final ArchitectureSpec STUDENT =
            new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 2, 3, Activation.RELU, true, 7);

    @TempDir
    Path folder;

    /** 2,500 training images, 2,000 test images: a few seconds. */
    private static TrainingData smallData() {
        TrainingData data = TrainingData.prepare(RealData.fashionMnist(), 3_000, ValidationSplit.ofImages(500), 1);
        return new TrainingData(data.kind(), data.training(), data.validation(), data.test().firstN(2_000),
                data.normalization());
    }

    @Test
    void run_fewStepsOnCommittedTeacher_mimicAgreesWithTeacherFarAboveChance() throws Exception {
        TrainingOptions options = new TrainingOptions(2, 0, 64, 0.005f, 1, 30, Progress.QUIET);

        DistillationResult result;
        try (OnnxTeacher teacher = OnnxTeacher.open(TEACHER)) {
            result = Distillation.run(teacher, smallData(), STUDENT, options, 0);
        }

        assertThat(result.teacher()).isEqualTo("fashion-deep/1");
        assertThat(result.testImages()).isEqualTo(2_000);
        assertThat(result.teacherScores().test().accuracy()).isGreaterThan(0.9);
        assertThat(result.teacherScores().agreement()).isEqualTo(1);
        // Ten classes: two unrelated classifiers agree on about a tenth of the images.
        assertThat(result.mimic().scores().agreement()).isGreaterThan(0.4);
        assertThat(result.mimic().target()).isEqualTo("teacher logits");
        assertThat(result.labels().target()).isEqualTo("labels");
        assertThat(result.mimic().scores().parameters()).isEqualTo(STUDENT.parameterCount());

        result.write(folder);
        assertThat(DistillationResult.read(folder)).isEqualTo(result);
        assertThat(result.tableRows()).hasSize(3).allSatisfy(row -> assertThat(row)
                .hasSameSizeAs(DistillationResult.tableHeader()));
    }

    @Test
    void withBottleneck_trainedThenFolded_onnxGraphComputesWhatTheTrainedNetworkDoes() throws Exception {
        TrainingData data = smallData();
        ResidualNetwork network = ResidualNetwork.withBottleneck(STUDENT, NetworkShape.SHALLOW,
                data.normalization().mean(), data.normalization().std(), 3);
        float[] pixels = data.test().pixelsAsFloats(0, 4);
        Path graph = folder.resolve("student.onnx");
        float[] trained;
        try (NetworkTrainer trainer = NetworkTrainer.create(network, 1)) {
            trainer.train(data.training(), data.validation(), new TrainingOptions(1, 0, 64, 0.005f, 1, 5, Progress.QUIET), null);
            trained = trainer.logits(pixels, 4);
            Files.write(graph, OnnxExporter.wholeModel(network.fold()).toByteArray());
        }

        float[] exported;
        try (OrtGraph model = new OrtGraph(graph)) {
            exported = model.run(Map.of(OnnxExporter.INPUT,
                    new OrtGraph.FloatTensor(STUDENT.inputShape(4), pixels)));
        }

        float largest = 0;
        for (float logit : trained) {
            largest = Math.max(largest, Math.abs(logit));
        }
        assertThat(exported).hasSize(40);
        for (int i = 0; i < trained.length; i++) {
            assertThat(exported[i]).isCloseTo(trained[i], within(1e-4f * largest));
        }
    }

    @Test
    void trainedParameters_bottleneck_countsBothFactorsInsteadOfTheDenseWeights() {
        // Head: 8 x 7 x 7 = 392 features to 10 classes.
        assertThat(Distillation.trainedParameters(STUDENT, 0)).isEqualTo(STUDENT.parameterCount());
        assertThat(Distillation.trainedParameters(STUDENT, 4))
                .isEqualTo(STUDENT.parameterCount() - 392 * 10 + 4 * (392 + 10));
    }
}
