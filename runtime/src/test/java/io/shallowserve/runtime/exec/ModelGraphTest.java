package io.shallowserve.runtime.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.GraphVersion;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parameter count of a graph that no model.json describes. */
class ModelGraphTest {

    @TempDir
    Path folder;

    @Test
    void parameterCount_isTheElementsOfTheInitializers() throws Exception {
        // Weights and biases of two 3×3 convolutions, 3 to 4 and 4 to 2 channels.
        assertThat(ModelGraph.parameterCount(version(TestGraph.chain())))
                .isEqualTo(4 * 3 * 3 * 3 + 4 + 2 * 4 * 3 * 3 + 2);
    }

    @Test
    void parameterCount_negativeDimension_isRefusedWithTheInitializer() throws Exception {
        ModelProto graph = TestGraph.chain();
        ModelProto broken = graph.toBuilder().setGraph(graph.getGraph().toBuilder().addInitializer(
                TensorProto.newBuilder().setName("bad").setDataType(TensorProto.DataType.FLOAT.getNumber())
                        .addDims(2).addDims(-3))).build();

        assertThatExceptionOfType(ModelVersionException.class)
                .isThrownBy(() -> ModelGraph.parameterCount(version(broken)))
                .withMessageEndingWith("model.onnx: initializer bad has a negative dimension [2, -3]");
    }

    @Test
    void parameterCount_moreElementsThanALongCounts_isRefused() throws Exception {
        ModelProto graph = TestGraph.chain();
        ModelProto huge = graph.toBuilder().setGraph(graph.getGraph().toBuilder().addInitializer(
                TensorProto.newBuilder().setName("huge").setDataType(TensorProto.DataType.FLOAT.getNumber())
                        .addDims(Long.MAX_VALUE / 2).addDims(3))).build();

        assertThatExceptionOfType(ModelVersionException.class)
                .isThrownBy(() -> ModelGraph.parameterCount(version(huge)))
                .withMessageEndingWith("model.onnx: its initializers have more elements than a long counts"
                        + " (at huge)");
    }

    private GraphVersion version(ModelProto graph) throws Exception {
        Path version = Files.createDirectories(folder.resolve("graph").resolve("1"));
        Files.write(version.resolve(ModelManifest.MODEL_FILE), graph.toByteArray());
        return new GraphVersion("graph", 1, version, "test");
    }
}
