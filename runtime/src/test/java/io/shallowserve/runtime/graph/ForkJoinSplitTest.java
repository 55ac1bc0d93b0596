package io.shallowserve.runtime.graph;

import static io.shallowserve.runtime.graph.TestGraph.integer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnxruntime.OrtEnvironment;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.TestRepository;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForkJoinSplitTest {

    private static final SplitCheck.GraphOpener OPENER = OrtEnvironment.getEnvironment()::createSession;

    @Test
    void split_inceptionGraph_cutsStemThreeBranchesAndHead() throws Exception {
        ModelProto model = TestGraph.inception(false);

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.fork()).isEqualTo("stem");
        assertThat(parts.join()).isEqualTo("Concat join");
        assertThat(parts.branchOutputs()).containsExactly("p1.act", "p3.act", "p5.act");
        assertThat(parts.stemOutputs()).containsExactly("stem");
        assertThat(parts.headInputs()).containsExactly("p1.act", "p3.act", "p5.act");
        assertThat(nodeNames(parts.stem().orElseThrow())).containsExactly("stem.conv", "stem");
        assertThat(parts.branches()).extracting(ForkJoinSplitTest::nodeNames).containsExactly(
                List.of("p1.conv", "p1.act"), List.of("p3.conv", "p3.act"), List.of("p5.conv", "p5.act"));
        assertThat(nodeNames(parts.head())).containsExactly("join", "head.pool", "head.flatten", "logits");
        assertThat(parts.branches().get(1).getGraph().getInitializerList()).extracting(TensorProto::getName)
                .containsExactly("p3.conv.weight", "p3.conv.bias");
        // The graph states no type for the stem's output: ONNX Runtime's inference keeps the batch dimension's name.
        TypeProto.Tensor forkType = parts.branches().getFirst().getGraph().getInput(0).getType().getTensorType();
        assertThat(forkType.getElemType()).isEqualTo(TensorProto.DataType.FLOAT.getNumber());
        assertThat(forkType.getShape().getDimList()).extracting(TensorShapeProto.Dimension::getDimParam,
                TensorShapeProto.Dimension::getDimValue).containsExactly(tuple("N", 0L),
                tuple("", 4L), tuple("", 8L), tuple("", 8L));
        // One per node plus the weights times the 8·8 positions: 2 + (2·4·1·1 + 2)·64, 2 + (3·4·3·3 + 3)·64,
        // 2 + (2·4·5·5 + 2)·64.
        assertThat(parts.branchWork()).containsExactly(642L, 7106L, 12930L);
        assertThat(SplitCheck.mismatch(model, parts, OPENER)).isEmpty();
    }

    @Test
    void split_weightsInConstantNodes_weighAsInitializersDo() throws Exception {
        ModelProto.Builder model = TestGraph.inception(false).toBuilder();
        // The weights as tf2onnx writes them: each the value of a Constant node, no initializers.
        List<TensorProto> initializers = model.getGraph().getInitializerList();
        model.getGraphBuilder().clearInitializer();
        for (TensorProto weight : initializers.reversed()) {
            model.getGraphBuilder().addNode(0, NodeProto.newBuilder().setOpType("Constant")
                    .setName(weight.getName() + ".constant").addOutput(weight.getName())
                    .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeType.TENSOR)
                            .setT(weight)));
        }

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model.build());

        assertThat(parts.branchWork()).containsExactly(642L, 7106L, 12930L);
        assertThat(SplitCheck.mismatch(model.build(), parts, OPENER)).isEmpty();
    }

    @Test
    void split_shallowModel_cutsAtTheSumOfItsUnits() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(
                TestRepository.verified(TestRepository.SHALLOW).file(ModelManifest.MODEL_FILE)));

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.fork()).isEqualTo("stem");
        assertThat(parts.join()).isEqualTo("Sum branches.sum");
        assertThat(parts.branchOutputs()).containsExactly(
                "unit0.act", "unit1.act", "unit2.act", "unit3.act", "unit4.act", "unit5.act", "unit6.act", "unit7.act");
        assertThat(parts.stemOutputs()).containsExactly("stem");
        // The head adds the stem's output to the sum of the branches (the shallow model's residual connection).
        assertThat(parts.headInputs()).containsExactly(
                "unit0.act", "unit1.act", "unit2.act", "unit3.act", "unit4.act", "unit5.act", "unit6.act", "unit7.act",
                "stem");
        assertThat(nodeNames(parts.head())).startsWith("branches.sum", "head.residual");
        assertThat(parts.branchWork()).containsOnly(parts.branchWork().getFirst());
        assertThat(SplitCheck.mismatch(model, parts, OPENER)).isEmpty();
    }

    @Test
    void split_twoRegions_takesTheOneWithMoreParallelWork() throws Exception {
        ModelProto model = TestGraph.inception(true);

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.join()).isEqualTo("Concat join");
        assertThat(parts.fork()).isEqualTo("pre");
        assertThat(nodeNames(parts.stem().orElseThrow())).containsExactly("stem.conv", "stem", "pa.conv", "pb.conv",
                "pre");
        assertThat(SplitCheck.mismatch(model, parts, OPENER)).isEmpty();
    }

    @Test
    void split_forkAtTheGraphInput_hasNoStem() throws Exception {
        TestGraph graph = new TestGraph("two-convs", "image", 3, 8, 8);
        String left = graph.conv("left", "image", 3, 2, 1);
        String right = graph.conv("right", "image", 3, 2, 3);
        graph.node("Add", "sum", List.of(left, right));
        ModelProto model = graph.untypedOutput("sum").model();

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.fork()).isEqualTo("image");
        assertThat(parts.stem()).isEmpty();
        assertThat(parts.stemOutputs()).isEmpty();
        assertThat(parts.headInputs()).containsExactly("left", "right");
        assertThat(parts.head().getGraph().getOutput(0).getType().getTensorType().getShape().getDimCount())
                .isEqualTo(4);
        assertThat(SplitCheck.mismatch(model, parts, OPENER)).isEmpty();
    }

    @Test
    void split_branchOnAPooledMap_weighsAQuarterOfThePositions() throws Exception {
        ModelProto model = twoMaps();

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.branchOutputs()).containsExactly("full.conv", "half.upsample");
        // The convolution's 4·4·3·3 + 4 weights on 8·8 positions, and on 4·4 after the pool; the Resize's 4 scales on
        // 8·8: 1 + 148·64 against 1 (pool) + 1 + 148·16 + 1 + 4·64.
        assertThat(parts.branchWork()).containsExactly(9473L, 2627L);
        assertThat(SplitCheck.mismatch(model, parts, OPENER)).isEmpty();
    }

    @Test
    void split_mapSizeUnknown_weighsTheWeightsAlone() throws Exception {
        ModelProto twoMaps = twoMaps();
        ModelProto.Builder model = twoMaps.toBuilder();
        TensorShapeProto.Builder shape = model.getGraphBuilder().getInputBuilder(0).getTypeBuilder()
                .getTensorTypeBuilder().getShapeBuilder();
        shape.getDimBuilder(2).setDimParam("H");
        shape.getDimBuilder(3).setDimParam("W");

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model.build());

        // Height and width known only by name: 1 + 148 against 1 + 1 + 148 + 1 + 4.
        assertThat(parts.branchWork()).containsExactly(149L, 155L);
    }

    @Test
    void split_parnetModel_weighsTheStreamOnThePooledMapAboutAQuarter() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(TestRepository.PARNET
                .resolve(ModelManifest.MODEL_FILE)));

        ForkJoinSplit.Parts parts = (ForkJoinSplit.Parts) ForkJoinSplit.split(model);

        assertThat(parts.join()).isEqualTo("Sum branches.sum");
        assertThat(parts.branchWork()).hasSize(2);
        // Stream 0 on the stem's 14×14 map, stream 1 on it pooled to 7×7: the same weights on a quarter of the
        // positions.
        assertThat((double) parts.branchWork().get(0) / parts.branchWork().get(1)).isCloseTo(4.0, within(0.1));
    }

    @Test
    void split_chain_findsNoRegion() {
        ForkJoinSplit.Outcome outcome = ForkJoinSplit.split(TestGraph.chain());

        assertThat(outcome).isInstanceOf(ForkJoinSplit.NoRegion.class);
        assertThat(((ForkJoinSplit.NoRegion) outcome).reason()).contains("graph chain").contains("a chain");
    }

    @Test
    void split_deepModel_findsOnlyResidualConnections() throws Exception {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(
                TestRepository.verified(TestRepository.DEEP).file(ModelManifest.MODEL_FILE)));

        ForkJoinSplit.Outcome outcome = ForkJoinSplit.split(model);

        assertThat(((ForkJoinSplit.NoRegion) outcome).reason())
                .contains("Add unit0.residual: one path only leads to it from stem (a chain or a residual connection)");
    }

    @Test
    void split_pathsThatCross_isNotSplitThere() {
        TestGraph graph = new TestGraph("crossing", "image", 3, 8, 8);
        String stem = graph.node("Relu", "stem", List.of(graph.conv("stem.conv", "image", 3, 4, 3)));
        String p1 = graph.node("Relu", "p1.act", List.of(graph.conv("p1.conv", stem, 4, 4, 1)));
        String mixed = graph.node("Add", "p3.mix", List.of(stem, p1));
        String p3 = graph.node("Relu", "p3.act", List.of(graph.conv("p3.conv", mixed, 4, 3, 3)));
        String p5 = graph.node("Relu", "p5.act", List.of(graph.conv("p5.conv", stem, 4, 2, 5)));
        graph.node("Concat", "join", List.of(p1, p3, p5), integer("axis", 1));

        ForkJoinSplit.Outcome outcome = ForkJoinSplit.split(graph.output("join", 9, 8, 8).model());

        assertThat(((ForkJoinSplit.NoRegion) outcome).reason())
                .contains("Concat join: the paths to p1.act and p3.act cross: both need Relu p1.act")
                .contains("Add p3.mix: one path only");
    }

    /**
     * Image [N, 4, 8, 8], a 3×3 convolution 4→4 of it and the same on it pooled 2×2 and upsampled back
     * ({@link TestGraph#pooledConv}), added.
     */
    private static ModelProto twoMaps() {
        TestGraph graph = new TestGraph("two-maps", "image", 4, 8, 8);
        String full = graph.conv("full.conv", "image", 4, 4, 3);
        String half = graph.pooledConv("half", "image", 4, 4, 3);
        graph.node("Add", "join", List.of(full, half));
        return graph.untypedOutput("join").model();
    }

    static List<String> nodeNames(ModelProto model) {
        return model.getGraph().getNodeList().stream().map(NodeProto::getName).toList();
    }
}
