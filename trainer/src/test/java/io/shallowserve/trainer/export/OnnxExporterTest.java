package io.shallowserve.trainer.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Named.named;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.arch.TatSlope;
import io.shallowserve.trainer.export.OrtGraph.FloatTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxExporterTest {

    /** ORT's float32 against the double-precision reference, relative to the largest logit. */
    private static final float REFERENCE_TOLERANCE = 1e-4f;
    /** Split pipeline against the whole graph: both float32, only summation order differs. */
    private static final float SPLIT_TOLERANCE = 1e-5f;

    // ArchitectureSpec(inputChannels, inputHeight, inputWidth, classes, width, stemKernel, stemPool, units,
    //                  unitKernel, activation, batchNorm, headPool[, branchMean, streams])
    private static final ArchitectureSpec RELU_GRAY_NO_POOL =
            new ArchitectureSpec(1, 7, 9, 3, 4, 3, false, 3, 3, Activation.RELU, true, 1);
    private static final ArchitectureSpec LEAKY_RGB_POOL_HEAD2_K5 =
            new ArchitectureSpec(3, 12, 20, 4, 5, 5, true, 2, 5, Activation.LEAKY_RELU, true, 2);
    private static final ArchitectureSpec RELU_RGB_ODD_POOL_HEAD2 =
            new ArchitectureSpec(3, 9, 13, 2, 3, 3, true, 4, 3, Activation.RELU, false, 2);
    private static final ArchitectureSpec LEAKY_GRAY_ONE_UNIT_K5 =
            new ArchitectureSpec(1, 9, 7, 3, 4, 5, false, 1, 5, Activation.LEAKY_RELU, false, 1);
    /** 14 units: as a tat chain, 15 activation layers, enough for eta 0.9 with a slope above 0; 2 parnet streams. */
    private static final ArchitectureSpec RELU_GRAY_14_UNITS =
            new ArchitectureSpec(1, 6, 6, 3, 3, 3, false, 14, 3, Activation.RELU, true, 1, false, 2);
    private static final ArchitectureSpec LEAKY_RGB_POOL_3_STREAMS =
            new ArchitectureSpec(3, 16, 12, 4, 3, 3, true, 6, 3, Activation.LEAKY_RELU, true, 2, false, 3);

    static Stream<Named<ArchitectureSpec>> specs() {
        return Stream.of(
                named("relu, 1 channel, 7x9, no stem pool, head pool 1, kernels 3", RELU_GRAY_NO_POOL),
                named("leaky relu, 3 channels, 12x20, stem pool, head pool 2, kernels 5", LEAKY_RGB_POOL_HEAD2_K5),
                named("relu, 3 channels, 9x13 (odd, pool drops a row), head pool 2", RELU_RGB_ODD_POOL_HEAD2),
                named("leaky relu, 1 channel, 9x7, one unit, kernels 5", LEAKY_GRAY_ONE_UNIT_K5),
                named("relu, 1 channel, 6x6, 14 units, 2 streams", RELU_GRAY_14_UNITS),
                named("leaky relu, 3 channels, 16x12, stem pool, 6 units in 3 streams, head pool 2",
                        LEAKY_RGB_POOL_3_STREAMS));
    }

    /** Every shape of every spec; parnet of the specs with streams (a spec of one stream has no parnet shape). */
    static Stream<Arguments> specsAndShapes() {
        return specs().flatMap(spec -> Stream.of(NetworkShape.values())
                .filter(shape -> shape != NetworkShape.PARNET || spec.getPayload().streams() > 1)
                .map(shape -> Arguments.of(spec, shape)));
    }

    static Stream<Arguments> specsAndShapesWithBranches() {
        return specsAndShapes().filter(arguments -> ((NetworkShape) arguments.get()[1]).hasBranches());
    }

    @TempDir
    Path directory;

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("specsAndShapes")
    void export_modelMatchesReferenceForward(ArchitectureSpec spec, NetworkShape shape) throws Exception {
        FoldedNetwork network = RandomNetworks.create(spec, shape, 11);
        ExportedModel exported = OnnxExporter.export(network, directory);

        try (OrtGraph model = new OrtGraph(exported.resolve(exported.model()))) {
            // Batch 1 and batch 3 run through the same file: the batch dimension really is dynamic.
            for (int batch : new int[] {1, 3}) {
                float[] pixels = TestNetworks.pixels(spec, batch, 100 + batch);
                float[] logits = model.run(Map.of(OnnxExporter.INPUT, new FloatTensor(spec.inputShape(batch), pixels)));
                float[] expected = ReferenceForward.logits(network, pixels, batch);

                assertThat(logits).hasSize(batch * spec.classes());
                assertThat(Logits.maxDifference(logits, expected))
                        .as("largest logit difference at batch %d (largest logit %f)", batch, Logits.maxAbs(expected))
                        .isLessThanOrEqualTo(REFERENCE_TOLERANCE * Logits.maxAbs(expected));
            }
        }
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("specsAndShapesWithBranches")
    void export_branchPipelineMatchesWholeModel(ArchitectureSpec spec, NetworkShape shape) throws Exception {
        FoldedNetwork network = RandomNetworks.create(spec, shape, 12);
        ExportedModel exported = OnnxExporter.export(network, directory);
        List<String> branchFiles = exported.branchFiles().subList(1, exported.branchFiles().size() - 1);
        int batch = 2;
        float[] pixels = TestNetworks.pixels(spec, batch, 200);
        FloatTensor input = new FloatTensor(spec.inputShape(batch), pixels);

        float[] whole;
        try (OrtGraph model = new OrtGraph(directory.resolve(OnnxExporter.MODEL_FILE))) {
            whole = model.run(Map.of(OnnxExporter.INPUT, input));
        }
        float[] stem;
        try (OrtGraph stemGraph = new OrtGraph(directory.resolve(OnnxExporter.STEM_FILE))) {
            stem = stemGraph.run(Map.of(OnnxExporter.INPUT, input));
        }
        float[] branchSum = new float[stem.length];
        assertThat(branchFiles).hasSize(shape == NetworkShape.PARNET ? spec.streams() : spec.units());
        for (String branchFile : branchFiles) {
            try (OrtGraph branchGraph = new OrtGraph(directory.resolve(branchFile))) {
                float[] branch = branchGraph.run(Map.of(OnnxExporter.STEM, new FloatTensor(spec.mapShape(batch), stem)));
                for (int i = 0; i < branchSum.length; i++) {
                    branchSum[i] += branch[i];
                }
            }
        }
        float[] split;
        try (OrtGraph head = new OrtGraph(directory.resolve(OnnxExporter.HEAD_FILE))) {
            split = head.run(Map.of(
                    OnnxExporter.STEM, new FloatTensor(spec.mapShape(batch), stem),
                    OnnxExporter.BRANCH_SUM, new FloatTensor(spec.mapShape(batch), branchSum)));
        }

        assertThat(stem).hasSize(batch * spec.width() * spec.mapHeight() * spec.mapWidth());
        assertThat(split).hasSize(whole.length);
        assertThat(Logits.maxDifference(split, whole)).isLessThanOrEqualTo(SPLIT_TOLERANCE * Logits.maxAbs(whole));
    }

    @Test
    void export_graphsDeclareContractNamesShapesAndOpset() throws Exception {
        ArchitectureSpec spec = LEAKY_RGB_POOL_HEAD2_K5;
        ExportedModel exported = OnnxExporter.export(RandomNetworks.create(spec, NetworkShape.SHALLOW, 13), directory);
        long[] image = {-1, spec.inputChannels(), spec.inputHeight(), spec.inputWidth()};
        long[] map = {-1, spec.width(), spec.mapHeight(), spec.mapWidth()};
        long[] logits = {-1, spec.classes()};

        assertGraph(exported.resolve(OnnxExporter.MODEL_FILE),
                Map.of(OnnxExporter.INPUT, image), Map.of(OnnxExporter.LOGITS, logits));
        assertGraph(exported.resolve(OnnxExporter.STEM_FILE),
                Map.of(OnnxExporter.INPUT, image), Map.of(OnnxExporter.STEM, map));
        for (int k = 0; k < spec.units(); k++) {
            assertGraph(exported.resolve(OnnxExporter.branchFile(k)),
                    Map.of(OnnxExporter.STEM, map), Map.of(OnnxExporter.BRANCH, map));
        }
        assertGraph(exported.resolve(OnnxExporter.HEAD_FILE),
                Map.of(OnnxExporter.STEM, map, OnnxExporter.BRANCH_SUM, map), Map.of(OnnxExporter.LOGITS, logits));
    }

    @Test
    void export_parnetNetwork_writesABranchFilePerStream() throws Exception {
        ExportedModel exported = OnnxExporter.export(RandomNetworks.create(RELU_GRAY_14_UNITS, NetworkShape.PARNET,
                22), directory);

        assertThat(exported.files()).containsExactly("model.onnx", "branches/stem.onnx", "branches/branch-0.onnx",
                "branches/branch-1.onnx", "branches/head.onnx");
        assertThat(exported.files()).allSatisfy(file -> assertThat(directory.resolve(file)).isNotEmptyFile());
    }

    @Test
    void branchModel_parnetStream_holdsItsOwnUnitsAndOnlyLaterStreamsPool() {
        FoldedNetwork network = RandomNetworks.create(LEAKY_RGB_POOL_3_STREAMS, NetworkShape.PARNET, 23);

        assertThat(initializerNames(OnnxExporter.branchModel(network, 0))).containsExactlyInAnyOrder(
                "unit0.conv.weight", "unit0.conv.bias", "unit1.conv.weight", "unit1.conv.bias");
        assertThat(initializerNames(OnnxExporter.branchModel(network, 2))).containsExactlyInAnyOrder(
                "unit4.conv.weight", "unit4.conv.bias", "unit5.conv.weight", "unit5.conv.bias",
                "stream2.upsample.scales");
        assertThat(OnnxExporter.branchModel(network, 0).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .doesNotContain("AveragePool", "Resize");
        assertThat(OnnxExporter.branchModel(network, 2).getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .startsWith("AveragePool").endsWith("Sub", "Resize");
        assertThatThrownBy(() -> OnnxExporter.branchModel(network, 3))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessage("branch 3 of 3");
    }

    @Test
    void export_writesBranchFilesOnlyForShallow() throws Exception {
        FoldedNetwork shallow = RandomNetworks.create(RELU_GRAY_NO_POOL, NetworkShape.SHALLOW, 14);
        Path shallowDirectory = directory.resolve("shallow/1");
        Path deepDirectory = directory.resolve("deep/1");

        ExportedModel shallowFiles = OnnxExporter.export(shallow, shallowDirectory);
        ExportedModel deepFiles = OnnxExporter.export(TestNetworks.withShape(shallow, NetworkShape.DEEP), deepDirectory);

        assertThat(shallowFiles.files()).containsExactly("model.onnx", "branches/stem.onnx",
                "branches/branch-0.onnx", "branches/branch-1.onnx", "branches/branch-2.onnx", "branches/head.onnx");
        assertThat(shallowFiles.files()).allSatisfy(file -> assertThat(shallowDirectory.resolve(file)).isNotEmptyFile());
        assertThat(deepFiles.files()).containsExactly("model.onnx");
        assertThat(deepFiles.branchFiles()).isEmpty();
        assertThat(deepDirectory.resolve("model.onnx")).isNotEmptyFile();
        assertThat(deepDirectory.resolve("branches")).doesNotExist();
    }

    @Test
    void export_tatNetwork_writesOnlyTheWholeModel() throws Exception {
        ExportedModel exported = OnnxExporter.export(RandomNetworks.create(RELU_GRAY_NO_POOL, NetworkShape.TAT, 19),
                directory);

        assertThat(exported.files()).containsExactly("model.onnx");
        assertThat(directory.resolve("branches")).doesNotExist();
    }

    @Test
    void wholeModel_tatNetwork_chainsUnitsWithSlopeAndScaleInEveryActivation() {
        FoldedNetwork network = RandomNetworks.create(RELU_GRAY_14_UNITS, NetworkShape.TAT, 20);
        float slope = TatSlope.of(network.spec());
        ModelProto model = OnnxExporter.wholeModel(network);

        List<NodeProto> leakyRelus = model.getGraph().getNodeList().stream()
                .filter(node -> node.getOpType().equals("LeakyRelu")).toList();
        List<TensorProto> scales = model.getGraph().getInitializerList().stream()
                .filter(initializer -> initializer.getName().endsWith(".act.scale")).toList();
        assertThat(slope).isGreaterThan(0f);
        // The stem's activation and the 14 units'.
        assertThat(leakyRelus).hasSize(15).allSatisfy(node ->
                assertThat(node.getAttribute(0).getF()).isEqualTo(slope));
        assertThat(scales).hasSize(15).allSatisfy(scale -> assertThat(scale.getDimsList()).isEmpty());
        assertThat(ByteBuffer.wrap(scales.get(0).getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN)
                .getFloat()).isEqualTo((float) TatSlope.outputScale(slope));
        assertThat(model.getGraph().getNodeList()).noneMatch(node -> node.getOpType().equals("Add"));
    }

    @Test
    void constructor_tatShapeOfAnotherShapesSpec_isRefused() {
        FoldedNetwork deep = RandomNetworks.create(RELU_GRAY_NO_POOL, NetworkShape.DEEP, 21);

        assertThatThrownBy(() -> TestNetworks.withShape(deep, NetworkShape.TAT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a tat network is built from ArchitectureSpec[")
                .hasMessageContaining("activation=TAT_LEAKY_RELU, batchNorm=false");
    }

    @Test
    void wholeModel_deepAndShallowOfSameWeightsGiveDifferentLogits() throws Exception {
        ArchitectureSpec spec = RELU_GRAY_NO_POOL;
        FoldedNetwork shallow = RandomNetworks.create(spec, NetworkShape.SHALLOW, 15);
        FoldedNetwork deep = TestNetworks.withShape(shallow, NetworkShape.DEEP);
        OnnxExporter.export(shallow, directory.resolve("shallow"));
        OnnxExporter.export(deep, directory.resolve("deep"));
        FloatTensor input = new FloatTensor(spec.inputShape(2), TestNetworks.pixels(spec, 2, 300));

        float[] shallowLogits;
        float[] deepLogits;
        try (OrtGraph shallowModel = new OrtGraph(directory.resolve("shallow").resolve(OnnxExporter.MODEL_FILE));
                OrtGraph deepModel = new OrtGraph(directory.resolve("deep").resolve(OnnxExporter.MODEL_FILE))) {
            shallowLogits = shallowModel.run(Map.of(OnnxExporter.INPUT, input));
            deepLogits = deepModel.run(Map.of(OnnxExporter.INPUT, input));
        }

        // Far beyond float noise: the two wirings compute different functions of the same weights.
        assertThat(Logits.maxDifference(shallowLogits, deepLogits)).isGreaterThan(0.01f * Logits.maxAbs(deepLogits));
    }

    @Test
    void wholeModel_namesWeightsByLayerAndSplitGraphsHoldOnlyTheirOwn() {
        FoldedNetwork network = RandomNetworks.create(LEAKY_RGB_POOL_HEAD2_K5, NetworkShape.SHALLOW, 16);

        assertThat(initializerNames(OnnxExporter.wholeModel(network))).containsExactlyInAnyOrder(
                "normalise.mean", "normalise.std", "stem.conv.weight", "stem.conv.bias",
                "unit0.conv.weight", "unit0.conv.bias", "unit1.conv.weight", "unit1.conv.bias",
                "head.dense.weight", "head.dense.bias");
        assertThat(initializerNames(OnnxExporter.stemModel(network))).containsExactlyInAnyOrder(
                "normalise.mean", "normalise.std", "stem.conv.weight", "stem.conv.bias");
        assertThat(initializerNames(OnnxExporter.branchModel(network, 1)))
                .containsExactlyInAnyOrder("unit1.conv.weight", "unit1.conv.bias");
        assertThat(initializerNames(OnnxExporter.headModel(network)))
                .containsExactlyInAnyOrder("head.dense.weight", "head.dense.bias");
    }

    @Test
    void export_rejectsNetworkWhoseLayersDoNotMatchSpec() {
        FoldedNetwork valid = RandomNetworks.create(RELU_GRAY_NO_POOL, NetworkShape.DEEP, 17);
        FoldedNetwork wrongKernel = new FoldedNetwork(valid.spec(), valid.shape(), valid.channelMean(),
                valid.channelStd(), valid.stem(),
                List.of(valid.units().get(0), valid.units().get(1), new FoldedNetwork.Conv(4, 4, 5, new float[400],
                        new float[4])),
                valid.head());

        assertThatThrownBy(() -> OnnxExporter.export(wrongKernel, directory))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unit 2 conv is 4x4x5, spec needs 4x4x3");
        assertThat(directory.resolve(OnnxExporter.MODEL_FILE)).doesNotExist();
    }

    @Test
    void branchModel_rejectsDeepNetwork() {
        FoldedNetwork deep = RandomNetworks.create(RELU_GRAY_NO_POOL, NetworkShape.DEEP, 18);

        assertThatThrownBy(() -> OnnxExporter.branchModel(deep, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only a shallow or parnet network splits");
    }

    /** Opset and IR version from the file itself (ORT does not report them), names and shapes from ORT. */
    private static void assertGraph(Path file, Map<String, long[]> inputs, Map<String, long[]> outputs)
            throws IOException, OrtException {
        ModelProto model = ModelProto.parseFrom(Files.readAllBytes(file));
        assertThat(model.getIrVersion()).isEqualTo(8);
        assertThat(model.getProducerName()).isEqualTo("shallowserve");
        assertThat(model.getOpsetImportList()).singleElement().satisfies(opset -> {
            assertThat(opset.getDomain()).isEmpty();
            assertThat(opset.getVersion()).isGreaterThanOrEqualTo(13);
        });
        try (OrtGraph graph = new OrtGraph(file)) {
            assertValues(file + " inputs", graph.session().getInputInfo(), inputs);
            assertValues(file + " outputs", graph.session().getOutputInfo(), outputs);
            assertThat(graph.session().getMetadata().getProducerName()).isEqualTo("shallowserve");
        }
    }

    private static void assertValues(String what, Map<String, NodeInfo> actual, Map<String, long[]> expected) {
        assertThat(actual.keySet()).as(what).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, shape) -> {
            TensorInfo info = (TensorInfo) actual.get(name).getInfo();
            assertThat(info.type).as(what + " " + name).isEqualTo(ai.onnxruntime.OnnxJavaType.FLOAT);
            assertThat(info.getShape()).as(what + " " + name).containsExactly(shape);
            assertThat(info.getDimensionNames()[0]).as(what + " " + name + " batch dimension").isEqualTo("batch");
        });
    }

    private static List<String> initializerNames(ModelProto model) {
        List<String> names = new ArrayList<>();
        for (TensorProto initializer : model.getGraph().getInitializerList()) {
            names.add(initializer.getName());
        }
        return names;
    }
}
