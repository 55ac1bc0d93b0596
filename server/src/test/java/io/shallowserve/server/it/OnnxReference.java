package io.shallowserve.server.it;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The expected answers: model.onnx of a model's newest version, run in-process by ONNX Runtime. */
final class OnnxReference {

    private OnnxReference() {
    }

    /** The models of the repository, by name, each with its newest version folder. */
    static Map<String, Path> newestVersions(Path repository) {
        try (Stream<Path> models = Files.list(repository)) {
            return models.filter(Files::isDirectory)
                    .collect(Collectors.toMap(
                            model -> model.getFileName().toString(),
                            OnnxReference::newestVersion,
                            (a, b) -> a,
                            TreeMap::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path newestVersion(Path model) {
        try (Stream<Path> versions = Files.list(model)) {
            return versions.filter(version -> version.getFileName().toString().matches("[0-9]+"))
                    .max(Comparator.comparingLong(version -> Long.parseLong(version.getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no version folder in " + model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The logits, [batch, classes] flattened, of model.onnx in {@code version} for {@code images}. */
    static float[] logits(Path version, float[] images, int batch) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession session = environment.createSession(version.resolve("model.onnx").toString());
                OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images),
                        new long[] {batch, 1, 28, 28});
                OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
            float[][] logits = (float[][]) result.get(0).getValue();
            int classes = logits[0].length;
            float[] flat = new float[batch * classes];
            for (int image = 0; image < batch; image++) {
                System.arraycopy(logits[image], 0, flat, image * classes, classes);
            }
            return flat;
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + version, e);
        }
    }

    static List<String> modelNames(Path repository) {
        return List.copyOf(newestVersions(repository).keySet());
    }
}
