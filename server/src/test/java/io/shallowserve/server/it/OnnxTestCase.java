package io.shallowserve.server.it;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shallowserve.runtime.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One of ONNX's backend test cases, as ONNX lays them out: {@code <case>/model.onnx} and
 * {@code <case>/test_data_set_0/input_N.pb, output_N.pb}, one TensorProto per file, in the order of the graph's
 * inputs (those that are not initializers) and outputs. ONNX's node tests have one data set each; a second one
 * would not be read.
 *
 * @param inputs   the values fed, named as the graph names its inputs
 * @param expected the values ONNX's reference implementation computed, named as the graph names its outputs
 */
record OnnxTestCase(String name, Path model, List<Tensor> inputs, List<Tensor> expected) {

    OnnxTestCase {
        inputs = List.copyOf(inputs);
        expected = List.copyOf(expected);
    }

    /** The graph of {@code directory}'s model.onnx. */
    static ModelProto model(Path directory) {
        try (InputStream in = Files.newInputStream(directory.resolve("model.onnx"))) {
            return ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The graph's inputs that a caller feeds: those that no initializer gives a value. */
    static List<ValueInfoProto> fedInputs(GraphProto graph) {
        Set<String> initialized = graph.getInitializerList().stream().map(TensorProto::getName)
                .collect(Collectors.toSet());
        return graph.getInputList().stream().filter(input -> !initialized.contains(input.getName())).toList();
    }

    /**
     * The case in {@code directory}, whose graph is {@code model}; every input and output must be a tensor of a
     * datatype the server serves.
     *
     * @throws IllegalArgumentException where the data set does not match the graph or holds other values
     */
    static OnnxTestCase read(Path directory, ModelProto model) {
        Path data = directory.resolve("test_data_set_0");
        List<Tensor> inputs = tensors(data, "input", fedInputs(model.getGraph()));
        List<Tensor> expected = tensors(data, "output", model.getGraph().getOutputList());
        return new OnnxTestCase(directory.getFileName().toString(), directory.resolve("model.onnx"), inputs,
                expected);
    }

    private static List<Tensor> tensors(Path data, String kind, List<ValueInfoProto> values) {
        List<Tensor> tensors = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            Path file = data.resolve(kind + "_" + i + ".pb");
            try (InputStream in = Files.newInputStream(file)) {
                tensors.add(TensorProtos.toTensor(values.get(i).getName(), TensorProto.parseFrom(in)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " for " + kind + " '" + values.get(i).getName()
                        + "'", e);
            }
        }
        if (Files.exists(data.resolve(kind + "_" + values.size() + ".pb"))) {
            throw new IllegalArgumentException(data + " has more " + kind + " files than the graph's "
                    + values.size() + " " + kind + "s");
        }
        return tensors;
    }
}
