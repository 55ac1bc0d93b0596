package io.shallowserve.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParallelConvFusionTest {

    @Test
    void fuse_shallowModel_replacesTheParallelConvsByOne() throws Exception {
        ModelVersion shallow = TestRepository.verified(TestRepository.SHALLOW);
        int units = shallow.manifest().architecture().units();
        int width = shallow.manifest().architecture().width();
        ModelProto model = read(shallow);
        assertThat(nodes(model.getGraph(), "Conv")).hasSize(1 + units);

        ParallelConvFusion.Fused fused = ParallelConvFusion.fuse(model);

        GraphProto graph = fused.model().getGraph();
        assertThat(fused.fusedLayers()).containsExactly(units);
        List<NodeProto> convs = nodes(graph, "Conv");
        assertThat(convs).extracting(NodeProto::getName).containsExactly("stem.conv", "wide0.conv");
        assertThat(initializer(graph, "wide0.conv.weight").getDimsList())
                .containsExactly((long) units * width, (long) width, 3L, 3L);
        assertThat(initializer(graph, "wide0.conv.bias").getDimsList()).containsExactly((long) units * width);
        ByteString weights = ByteString.empty();
        ByteString biases = ByteString.empty();
        for (int k = 0; k < units; k++) {
            weights = weights.concat(initializer(model.getGraph(), "unit" + k + ".conv.weight").getRawData());
            biases = biases.concat(initializer(model.getGraph(), "unit" + k + ".conv.bias").getRawData());
        }
        assertThat(initializer(graph, "wide0.conv.weight").getRawData()).isEqualTo(weights);
        assertThat(initializer(graph, "wide0.conv.bias").getRawData()).isEqualTo(biases);
        assertThat(graph.getInitializerList()).extracting(TensorProto::getName)
                .noneMatch(name -> name.startsWith("unit"));
        NodeProto split = nodes(graph, "Split").getFirst();
        assertThat(nodes(graph, "Sum").getFirst().getInputList()).containsExactlyElementsOf(split.getOutputList())
                .hasSize(units);
        assertThat(graph.getInputList()).isEqualTo(model.getGraph().getInputList());
        assertThat(graph.getOutputList()).isEqualTo(model.getGraph().getOutputList());
    }

    @Test
    void fuse_deepModel_findsNothingAndKeepsTheModel() throws Exception {
        ModelProto model = read(TestRepository.verified(TestRepository.DEEP));

        ParallelConvFusion.Fused fused = ParallelConvFusion.fuse(model);

        assertThat(fused.fusedLayers()).isEmpty();
        assertThat(fused.model()).isEqualTo(model);
    }

    @Test
    void fuse_termWithAnotherActivation_staysApart() throws Exception {
        ModelVersion shallow = TestRepository.verified(TestRepository.SHALLOW);
        int units = shallow.manifest().architecture().units();
        ModelProto model = read(shallow);
        GraphProto.Builder graph = model.getGraph().toBuilder();
        for (NodeProto.Builder node : graph.getNodeBuilderList()) {
            if (node.getName().equals("unit0.act")) {
                node.setOpType("Sigmoid");
            }
        }

        ParallelConvFusion.Fused fused = ParallelConvFusion.fuse(model.toBuilder().setGraph(graph).build());

        assertThat(fused.fusedLayers()).containsExactly(units - 1);
        assertThat(nodes(fused.model().getGraph(), "Conv")).extracting(NodeProto::getName)
                .containsExactly("stem.conv", "unit0.conv", "wide0.conv");
        assertThat(nodes(fused.model().getGraph(), "Sum").getFirst().getInputList()).startsWith("unit0.act");
    }

    private static ModelProto read(ModelVersion model) throws Exception {
        return ModelProto.parseFrom(Files.readAllBytes(model.file(ModelManifest.MODEL_FILE)));
    }

    private static List<NodeProto> nodes(GraphProto graph, String opType) {
        return graph.getNodeList().stream().filter(node -> node.getOpType().equals(opType)).toList();
    }

    private static TensorProto initializer(GraphProto graph, String name) {
        return graph.getInitializerList().stream().filter(tensor -> tensor.getName().equals(name)).findFirst()
                .orElseThrow();
    }
}
