package io.shallowserve.trainer.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.runtime.data.RealData;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.export.OnnxExporter;
import io.shallowserve.trainer.export.OrtGraph;
import io.shallowserve.trainer.train.ModelTraining;
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
        return firstTestImages(TrainingData.prepare(RealData.fashionMnist(), 3_000, ValidationSplit.ofImages(500), 1));
    }

    private static TrainingData firstTestImages(TrainingData data) {
        return new TrainingData(data.kind(), data.training(), data.validation(), data.test().firstN(2_000),
                data.normalization());
    }

    @Test
    void run_fewStepsOnCommittedTeacher_mimicAgreesWithTeacherFarAboveChance() throws Exception {
        TrainingOptions options = new TrainingOptions(2, 0, 64, 0.005f, 1, 30, Progress.QUIET);

        DistillationResult result;
        try (OnnxTeacher teacher = OnnxTeacher.open(TEACHER)) {
            result = Distillation.run(teacher, DistillationData.labelledOnly(smallData()), STUDENT, options, 0);
        }

        assertThat(result.teacher()).isEqualTo("fashion-deep/1");
        assertThat(result.teacherImages()).isEqualTo(55_000);
        assertThat(result.trainImages()).isEqualTo(2_500);
        assertThat(result.mimicImages()).isEqualTo(2_500);
        assertThat(result.testImages()).isEqualTo(2_000);
        assertThat(result.teacherScores().test().accuracy()).isGreaterThan(0.9);
        assertThat(result.teacherScores().agreement()).isEqualTo(1);
        // Ten classes: two unrelated classifiers agree on about a tenth of the images.
        assertThat(result.mimic().scores().agreement()).isGreaterThan(0.4);
        assertThat(result.mimic().target()).isEqualTo("teacher logits");
        assertThat(result.labels().target()).isEqualTo("labels");
        assertThat(result.mimic().scores().parameters()).isEqualTo(STUDENT.parameterCount());

        assertThat(result.mimicToTeacher().difference()).isCloseTo(
                result.mimic().scores().test().accuracy() - result.teacherScores().test().accuracy(), within(1e-9));
        assertThat(result.mimicToTeacher().margin()).isPositive();

        result.write(folder);
        assertThat(result.fileName()).isEqualTo(DistillationResult.FILE_NAME);
        assertThat(DistillationResult.read(folder)).isEqualTo(result);
        assertThat(folder.resolve("distill.md")).content().contains(result.verdict());
        assertThat(result.tableRows()).hasSize(3).allSatisfy(row -> assertThat(row)
                .hasSameSizeAs(DistillationResult.tableHeader()));
    }

    @Test
    void run_heldOutImagesAndCopies_mimicLearnsTheTeachersLogitsOnMoreImagesThanTheLabels() throws Exception {
        // The first 1,000 images labelled (500 to learn from, 500 to validate), 1,000 more unlabelled, one moved copy
        // of each: the mimic learns from 3,000 images, the label student and the teacher from 500.
        DistillationData data = DistillationData.split(RealData.fashionMnist(), 2_000, 1_000,
                ValidationSplit.ofImages(500), 1, 1);
        data = new DistillationData(firstTestImages(data.labelled()), data.unlabelled(), data.augmentedCopies());
        ModelTraining.run(STUDENT, NetworkShape.DEEP, data.labelled(),
                new TrainingOptions(2, 0, 64, 0.005f, 1, 0, Progress.QUIET), folder, "teacher", 1);

        DistillationResult result;
        try (OnnxTeacher teacher = OnnxTeacher.open(folder.resolve("teacher").resolve("1"))) {
            result = Distillation.run(teacher, data, STUDENT,
                    new TrainingOptions(1, 0, 64, 0.005f, 1, 0, Progress.QUIET), 0);
        }

        assertThat(result.teacherImages()).isEqualTo(500);
        assertThat(result.trainImages()).isEqualTo(500);
        assertThat(result.unlabelledImages()).isEqualTo(1_000);
        assertThat(result.augmentedCopies()).isEqualTo(1);
        assertThat(result.mimicImages()).isEqualTo(3_000).isEqualTo(data.mimicTraining(1).size());
        assertThat(result.mimic().scores().agreement()).isGreaterThan(0.4);
        assertThat(result.description()).contains("The mimic learnt the teacher's logits on 3000 images: the 500"
                + " training images, 1000 more training images whose labels neither the teacher nor the students"
                + " learnt, and 1 copy of every image it learnt from");
        assertThat(result.verdict()).startsWith("The mimic, which learnt from 3000 images,")
                .contains("the teacher, which learnt from 500").contains("the label student, which learnt from 500");

        result.write(folder);
        assertThat(result.fileName()).isEqualTo("distill-held-out-augmented.json");
        assertThat(DistillationResult.read(folder, result.fileName())).isEqualTo(result);
        assertThat(folder.resolve("distill-held-out-augmented.md")).content().contains(result.verdict());
    }

    @Test
    void run_heldOutImagesWithTeacherOfOtherImages_refusesAndSaysHowToTrainTheTeacher() throws Exception {
        DistillationData data = DistillationData.split(RealData.fashionMnist(), 3_000, 1_500,
                ValidationSplit.ofImages(500), 1, 0);
        TrainingOptions options = new TrainingOptions(1, 0, 64, 0.005f, 1, 0, Progress.QUIET);

        try (OnnxTeacher teacher = OnnxTeacher.open(TEACHER)) {
            assertThatThrownBy(() -> Distillation.run(teacher, data, STUDENT, options, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("teacher fashion-deep/1 learnt from 55000 labelled images (5000 more held"
                            + " out for validation, seed 1)")
                    .hasMessageContaining("the first 1500 of the training split: 1000 to learn from, 500 held out")
                    .hasMessageContaining("trainer train --train-limit 1500 --validation 500 --seed 1");
        }
        assertThat(folder).isEmptyDirectory();
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
