package io.shallowserve.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shallowserve.trainer.export.OrtGraph.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxGraphBuilderTest {

    @Test
    void build_givesModelThatOnnxRuntimeRunsAtAnyBatchSize(@TempDir Path directory) throws Exception {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("scale");
        graph.input("x", 3);
        graph.output("y", 3);
        String scale = graph.initializer("scale", new long[] {3}, new float[] {1, 2, 3});
        String product = graph.node("Mul", "mul", List.of("x", scale), "mul");
        graph.node("LeakyRelu", "act", List.of(product), "y", OnnxGraphBuilder.real("alpha", 0.5f));
        ModelProto model = graph.build();
        Path file = Files.write(directory.resolve("scale.onnx"), model.toByteArray());

        try (OrtGraph ort = new OrtGraph(file)) {
            float[] y = ort.run(Map.of("x", new FloatTensor(new long[] {2, 3}, new float[] {1, 1, 1, -1, -1, -1})));

            assertThat(y).containsExactly(1, 2, 3, -0.5f, -1, -1.5f);
        }
        assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(OnnxGraphBuilder.OPSET);
        assertThat(model.getIrVersion()).isEqualTo(OnnxGraphBuilder.IR_VERSION);
    }

    @Test
    void node_rejectsInputThatIsNotDefined() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("broken");
        graph.input("x", 3);

        assertThatThrownBy(() -> graph.node("Relu", "act", List.of("missing"), "y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void initializer_rejectsNameDefinedTwice() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("broken");
        graph.input("x", 3);

        assertThatThrownBy(() -> graph.initializer("x", new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor name x is defined twice");
    }

    @Test
    void initializer_rejectsValueCountThatDoesNotFitShape() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("broken");

        assertThatThrownBy(() -> graph.initializer("w", new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs 6 values, got 5");
    }

    @Test
    void build_rejectsOutputThatIsNeverComputed() {
        OnnxGraphBuilder graph = new OnnxGraphBuilder("broken");
        graph.input("x", 3);
        graph.output("y", 3);

        assertThatThrownBy(graph::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("graph output y is never computed");
    }
}
