package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small float graph written node by node for the tests, with random weights: one input of shape [N, ...] and
 * outputs whose types the graph states or leaves to ONNX Runtime. No value_info: the split infers what it needs.
 */
public final class TestGraph {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final SplittableRandom random = new SplittableRandom(7);

    public TestGraph(String name, String input, long... dimsAfterBatch) {
        graph.setName(name).addInput(batched(input, dimsAfterBatch));
    }

    /** A Conv of {@code kernel}×{@code kernel} padded to keep height and width, with random weights and bias. */
    public String conv(String name, String input, int inChannels, int outChannels, int kernel) {
        long pad = kernel / 2;
        return node("Conv", name, List.of(input, weights(name + ".weight", outChannels, inChannels, kernel, kernel),
                weights(name + ".bias", outChannels)), ints("kernel_shape", kernel, kernel),
                ints("pads", pad, pad, pad, pad));
    }

    /**
     * A Conv as {@link #conv} on {@code input} average-pooled 2×2, its output upsampled back to the input's size by a
     * Resize (nearest, scales 1, 1, 2, 2): the map of a later parnet stream, a quarter of the positions.
     */
    public String pooledConv(String name, String input, int inChannels, int outChannels, int kernel) {
        String pooled = node("AveragePool", name + ".pool", List.of(input), ints("kernel_shape", 2, 2),
                ints("strides", 2, 2));
        String convolved = conv(name + ".conv", pooled, inChannels, outChannels, kernel);
        return node("Resize", name + ".upsample", List.of(convolved, "", floats(name + ".scales", 1, 1, 2, 2)));
    }

    /** A Gemm of a [N, in] tensor with random [out, in] weights (transB) and bias. */
    String gemm(String name, String input, int in, int out) {
        return node("Gemm", name, List.of(input, weights(name + ".weight", out, in), weights(name + ".bias", out)),
                AttributeProto.newBuilder().setName("transB").setType(AttributeProto.AttributeType.INT).setI(1)
                        .build());
    }

    /** A node of the default domain whose one output is named as the node. */
    public String node(String opType, String name, List<String> inputs, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs).addOutput(name)
                .addAllAttribute(List.of(attributes)));
        return name;
    }

    /** Declares {@code tensor} a graph output of type float [N, dimsAfterBatch...]. */
    public TestGraph output(String tensor, long... dimsAfterBatch) {
        graph.addOutput(batched(tensor, dimsAfterBatch));
        return this;
    }

    /** Declares {@code tensor} a graph output without a type. */
    TestGraph untypedOutput(String tensor) {
        graph.addOutput(ValueInfoProto.newBuilder().setName(tensor));
        return this;
    }

    public ModelProto model() {
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph).build();
    }

    /**
     * Image [N, 3, 8, 8], a stem convolution to 4 channels, three paths of kernel 1, 3 and 5 to 2, 3 and 2 channels
     * with Relu, their Concat, and a head of GlobalAveragePool, Flatten and Gemm to 5 logits: an Inception-like
     * graph, the fork–join region the split looks for. With {@code preRegion}, a smaller region sits in the stem:
     * two 1×1 convolutions of the stem's output, summed into "pre".
     */
    public static ModelProto inception(boolean preRegion) {
        TestGraph graph = new TestGraph("inception", "image", 3, 8, 8);
        String fork = graph.node("Relu", "stem", List.of(graph.conv("stem.conv", "image", 3, 4, 3)));
        if (preRegion) {
            fork = graph.node("Sum", "pre", List.of(graph.conv("pa.conv", fork, 4, 4, 1),
                    graph.conv("pb.conv", fork, 4, 4, 1)));
        }
        String p1 = graph.node("Relu", "p1.act", List.of(graph.conv("p1.conv", fork, 4, 2, 1)));
        String p3 = graph.node("Relu", "p3.act", List.of(graph.conv("p3.conv", fork, 4, 3, 3)));
        String p5 = graph.node("Relu", "p5.act", List.of(graph.conv("p5.conv", fork, 4, 2, 5)));
        String joined = graph.node("Concat", "join", List.of(p1, p3, p5), integer("axis", 1));
        String pooled = graph.node("GlobalAveragePool", "head.pool", List.of(joined));
        graph.gemm("logits", graph.node("Flatten", "head.flatten", List.of(pooled)), 7, 5);
        return graph.output("logits", 5).model();
    }

    /** Image [N, 3, 8, 8] through a convolution, Relu and another convolution to [N, 2, 8, 8]: no branches. */
    public static ModelProto chain() {
        TestGraph graph = new TestGraph("chain", "image", 3, 8, 8);
        String first = graph.node("Relu", "first.act", List.of(graph.conv("first", "image", 3, 4, 3)));
        graph.conv("second", first, 4, 2, 3);
        return graph.output("second", 2, 8, 8).model();
    }

    static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList()).build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private String weights(String name, long... dims) {
        long count = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).addAllDims(Arrays.stream(dims).boxed().toList());
        for (long i = 0; i < count; i++) {
            tensor.addFloatData((float) random.nextDouble(-0.5, 0.5));
        }
        graph.addInitializer(tensor);
        return name;
    }

    private String floats(String name, float... values) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).addDims(values.length);
        for (float value : values) {
            tensor.addFloatData(value);
        }
        graph.addInitializer(tensor);
        return name;
    }

    private static ValueInfoProto batched(String name, long... dimsAfterBatch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam("N");
        Arrays.stream(dimsAfterBatch).forEach(dim -> shape.addDimBuilder().setDimValue(dim));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
