package io.shallowserve.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.runtime.data.RealData;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.ResidualNetwork;
import io.shallowserve.trainer.train.NetworkTrainer;
import io.shallowserve.trainer.train.Progress;
import io.shallowserve.trainer.train.TrainingData;
import io.shallowserve.trainer.train.TrainingOptions;
import io.shallowserve.trainer.train.ValidationSplit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A network trained briefly by DJL on real Fashion-MNIST, exported, and run by ONNX Runtime on real test
 * images: the exported graphs compute what DJL computes (batch norm folded, normalisation inside).
 */
class ExportParityTest {

    private static final int IMAGES = 64;

    private static TrainingData data;

    @TempDir
    Path folder;

    @BeforeAll
    static void loadData() {
        data = TrainingData.prepare(RealData.fashionMnist(), 4000, ValidationSplit.ofImages(0), 7);
    }

    @ParameterizedTest
    @EnumSource(NetworkShape.class)
    void export_trainedNetwork_ortLogitsMatchDjl(NetworkShape shape) throws Exception {
        // A tat chain of 14 units has 15 activation layers, enough for eta 0.9 with a slope above 0; parnet's 2
        // streams take 2 units each (the other shapes are of one stream whatever the spec says).
        int units = switch (shape) {
            case TAT -> 14;
            case PARNET -> 4;
            case DEEP, SHALLOW -> 3;
        };
        assertExportMatchesDjl(new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, units, 3, Activation.LEAKY_RELU, true,
                2, false, 2), shape);
    }

    @Test
    void export_shallowWithBranchMean_ortLogitsMatchDjl() throws Exception {
        assertExportMatchesDjl(new ArchitectureSpec(1, 28, 28, 10, 8, 3, true, 3, 3, Activation.RELU, true, 2, true),
                NetworkShape.SHALLOW);
    }

    private void assertExportMatchesDjl(ArchitectureSpec requested, NetworkShape shape) throws Exception {
        ResidualNetwork network = ResidualNetwork.create(requested, shape, data.normalization().mean(),
                data.normalization().std());
        ArchitectureSpec spec = network.spec();
        ImageDataset images = data.test().firstN(IMAGES);
        float[] pixels = images.pixelsAsFloats(0, IMAGES);
        float[] djl;
        ExportedModel exported;
        try (NetworkTrainer trainer = NetworkTrainer.create(network, 7)) {
            // A few steps move the batch-norm running statistics away from 0 and 1, so the folding is exercised.
            trainer.train(data.training(), data.validation(), new TrainingOptions(1, 0, 32, 0.003f, 7, 30, Progress.QUIET), null);
            djl = trainer.logits(pixels, IMAGES);
            exported = OnnxExporter.export(network.fold(), folder);
        }

        float[] onnx;
        try (OrtGraph model = new OrtGraph(exported.resolve(OnnxExporter.MODEL_FILE))) {
            onnx = model.run(Map.of(OnnxExporter.INPUT, new OrtGraph.FloatTensor(spec.inputShape(IMAGES), pixels)));
        }

        assertThat(Logits.maxDifference(djl, onnx)).isLessThanOrEqualTo(1e-4f * Logits.maxAbs(djl));
        assertThat(Logits.argmaxEach(onnx, spec.classes())).containsExactly(Logits.argmaxEach(djl, spec.classes()));
        if (shape.hasBranches()) {
            float[] split = runSplit(exported, spec, pixels);
            assertThat(Logits.maxDifference(split, onnx)).isLessThanOrEqualTo(1e-5f * Logits.maxAbs(onnx));
            assertThat(Logits.argmaxEach(split, spec.classes())).containsExactly(Logits.argmaxEach(onnx, spec.classes()));
        }
    }

    /** stem, every branch on the stem's output, their sum, head: as model.json's branches say to run them. */
    private static float[] runSplit(ExportedModel exported, ArchitectureSpec spec, float[] pixels) throws Exception {
        float[] stem;
        try (OrtGraph graph = new OrtGraph(exported.resolve(OnnxExporter.STEM_FILE))) {
            stem = graph.run(Map.of(OnnxExporter.INPUT, new OrtGraph.FloatTensor(spec.inputShape(IMAGES), pixels)));
        }
        long[] mapShape = spec.mapShape(IMAGES);
        float[] sum = new float[stem.length];
        for (String branchFile : exported.branchFiles().subList(1, exported.branchFiles().size() - 1)) {
            try (OrtGraph branch = new OrtGraph(exported.resolve(branchFile))) {
                float[] out = branch.run(Map.of(OnnxExporter.STEM, new OrtGraph.FloatTensor(mapShape, stem)));
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += out[i];
                }
            }
        }
        Map<String, OrtGraph.FloatTensor> headInputs = new HashMap<>();
        headInputs.put(OnnxExporter.STEM, new OrtGraph.FloatTensor(mapShape, stem));
        headInputs.put(OnnxExporter.BRANCH_SUM, new OrtGraph.FloatTensor(mapShape, sum));
        try (OrtGraph head = new OrtGraph(exported.resolve(OnnxExporter.HEAD_FILE))) {
            return head.run(headInputs);
        }
    }
}
