package io.shallowserve.trainer.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.shallowserve.trainer.data.ImageDataset;
import io.shallowserve.trainer.data.RealData;
import io.shallowserve.trainer.export.OrtGraph;
import io.shallowserve.trainer.export.Predictions;
import io.shallowserve.trainer.export.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The models committed under models/ are intact and, run by ONNX Runtime, reach what model.json records. */
class DefaultModelsTest {

    private static final Path REPOSITORY = Path.of("..", "models");
    private static final int BATCH = 500;

    static List<Path> committedModels() throws Exception {
        try (Stream<Path> files = Files.find(REPOSITORY, 3,
                (file, attributes) -> file.getFileName().toString().equals(ModelManifest.FILE_NAME))) {
            List<Path> manifests = files.sorted().toList();
            assertThat(manifests).as("model.json files under " + REPOSITORY.toAbsolutePath()).hasSizeGreaterThanOrEqualTo(2);
            return manifests;
        }
    }

    @ParameterizedTest
    @MethodSource("committedModels")
    void committedModel_filesMatchTheirChecksums(Path manifestFile) throws Exception {
        ModelManifest manifest = ModelManifest.read(manifestFile);
        for (Map.Entry<String, String> file : manifest.files().entrySet()) {
            assertThat(Sha256.ofFile(manifestFile.resolveSibling(file.getKey()))).as(file.getKey())
                    .isEqualTo(file.getValue());
        }
    }

    @ParameterizedTest
    @MethodSource("committedModels")
    void committedModel_reachesRecordedTestAccuracyInOnnxRuntime(Path manifestFile) throws Exception {
        ModelManifest manifest = ModelManifest.read(manifestFile);
        ImageDataset test = RealData.fashionMnist().test();
        assertThat(manifest.dataset().name()).isEqualTo("fashion-mnist");
        int classes = manifest.labels().size();
        int correct = 0;
        try (OrtGraph model = new OrtGraph(manifestFile.resolveSibling("model.onnx"))) {
            for (int from = 0; from < test.size(); from += BATCH) {
                int to = Math.min(from + BATCH, test.size());
                long[] shape = {to - from, 1, 28, 28};
                float[] logits = model.run(Map.of(manifest.input().name(),
                        new OrtGraph.FloatTensor(shape, test.pixelsAsFloats(from, to))));
                int[] predicted = Predictions.argmax(logits, classes);
                for (int i = 0; i < predicted.length; i++) {
                    if (predicted[i] == test.labels()[from + i]) {
                        correct++;
                    }
                }
            }
        }
        double accuracy = (double) correct / test.size();
        // DJL measured the recorded value; ONNX Runtime may round a near-tie the other way on a few images.
        assertThat(accuracy).isCloseTo(manifest.metrics().get("test").accuracy(), within(0.002));
        assertThat(accuracy).isGreaterThanOrEqualTo(0.92);
    }
}
