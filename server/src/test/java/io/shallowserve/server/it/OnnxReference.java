package io.shallowserve.server.it;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The expected answers: model.onnx of a model's newest version, or any graph, run in-process by ONNX Runtime. The
 * tensors pass through ONNX Runtime's Java API here on their own path (typed buffers), not through the runtime's
 * conversion the server uses, so that a fault there shows as a difference, not in both.
 */
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

    /**
     * The outputs of {@code session}'s graph for {@code inputs}, in the graph's order, named as the graph names them.
     *
     * @throws OrtException where ONNX Runtime cannot run the graph on these inputs
     */
    static List<Tensor> outputs(OrtSession session, List<Tensor> inputs) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Tensor input : inputs) {
                feeds.put(input.name(), ortTensor(environment, input));
            }
            try (OrtSession.Result result = session.run(feeds)) {
                List<Tensor> outputs = new ArrayList<>(result.size());
                for (Map.Entry<String, OnnxValue> output : result) {
                    if (!(output.getValue() instanceof OnnxTensor tensor)) {
                        throw new IllegalStateException("output '" + output.getKey() + "' is not a tensor");
                    }
                    outputs.add(tensor(output.getKey(), tensor));
                }
                return outputs;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor ortTensor(OrtEnvironment environment, Tensor tensor) throws OrtException {
        long[] shape = tensor.shape();
        ByteBuffer raw = ByteBuffer.wrap(tensor.raw()).order(ByteOrder.LITTLE_ENDIAN);
        return switch (tensor.datatype()) {
            case FP32 -> OnnxTensor.createTensor(environment, raw.asFloatBuffer(), shape);
            case FP64 -> OnnxTensor.createTensor(environment, raw.asDoubleBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(environment, raw.asLongBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(environment, raw.asIntBuffer(), shape);
            case INT16 -> OnnxTensor.createTensor(environment, raw.asShortBuffer(), shape);
            case FP16 -> OnnxTensor.createTensor(environment, raw.asShortBuffer(), shape, OnnxJavaType.FLOAT16);
            case INT8 -> OnnxTensor.createTensor(environment, raw, shape);
            case UINT8 -> OnnxTensor.createTensor(environment, raw, shape, OnnxJavaType.UINT8);
            case BOOL -> OnnxTensor.createTensor(environment, raw, shape, OnnxJavaType.BOOL);
            case BYTES -> OnnxTensor.createTensor(environment, tensor.strings().toArray(String[]::new), shape);
            case UINT16, UINT32, UINT64 -> throw new IllegalArgumentException(
                    "ONNX Runtime's Java API has no " + tensor.datatype() + " tensors");
        };
    }

    private static Tensor tensor(String name, OnnxTensor value) throws OrtException {
        long[] shape = value.getInfo().getShape();
        Datatype datatype = switch (value.getInfo().type) {
            case FLOAT -> Datatype.FP32;
            case DOUBLE -> Datatype.FP64;
            case INT64 -> Datatype.INT64;
            case INT32 -> Datatype.INT32;
            case INT16 -> Datatype.INT16;
            case FLOAT16 -> Datatype.FP16;
            case INT8 -> Datatype.INT8;
            case UINT8 -> Datatype.UINT8;
            case BOOL -> Datatype.BOOL;
            case STRING -> Datatype.BYTES;
            default -> throw new IllegalStateException("output '" + name + "' is of Java type " + value.getInfo().type);
        };
        if (datatype == Datatype.BYTES) {
            Object strings = value.getValue();
            return Tensor.ofStrings(name, shape, strings instanceof String one ? List.of(one)
                    : flat(strings).map(String.class::cast).toList());
        }
        ByteBuffer bytes = value.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        byte[] raw = new byte[bytes.remaining()];
        bytes.get(raw);
        return new Tensor(name, datatype, shape, raw);
    }

    /** The elements of a (nested) Java array, row-major. */
    private static Stream<Object> flat(Object array) {
        return IntStream.range(0, Array.getLength(array)).mapToObj(i -> Array.get(array, i))
                .flatMap(element -> element.getClass().isArray() ? flat(element) : Stream.of(element));
    }

    static List<String> modelNames(Path repository) {
        return List.copyOf(newestVersions(repository).keySet());
    }
}
