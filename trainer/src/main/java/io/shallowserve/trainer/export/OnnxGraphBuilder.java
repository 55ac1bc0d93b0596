package io.shallowserve.trainer.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds one ONNX graph of float tensors, node by node, and wraps it in a model.
 *
 * <p>Graph inputs and outputs always have a dynamic first dimension named {@value #BATCH}, so one file
 * serves every batch size. Tensor names are checked as they are added: an input that was never defined or
 * a name defined twice is a bug in the caller and fails here, with the name, rather than later inside
 * ONNX Runtime.
 */
public final class OnnxGraphBuilder {

    /** Default-domain operator set the graphs are written against (Sum, Gemm, pools and convs as of 17). */
    public static final long OPSET = 17;

    /** ONNX IR version 8 is the one that goes with opset 17 and is read by every current ONNX Runtime. */
    public static final long IR_VERSION = 8;

    /** Written into every model's producer_name. */
    public static final String PRODUCER = "shallowserve";

    /** Symbolic name of the dynamic batch dimension of every graph input and output. */
    public static final String BATCH = "batch";

    /** The name ONNX gives an optional node input that is left out, such as Resize's roi. */
    public static final String OMITTED = "";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> tensorNames = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    /** @param graphName stored as the graph's name; shows up in tools such as Netron */
    public OnnxGraphBuilder(String graphName) {
        graph.setName(graphName);
    }

    /** Declares a float graph input of shape [batch, dimsAfterBatch...] and returns its name. */
    public String input(String name, long... dimsAfterBatch) {
        define(name);
        graph.addInput(batchedFloat(name, dimsAfterBatch));
        return name;
    }

    /** Declares that the tensor {@code name}, of shape [batch, dimsAfterBatch...], is a graph output. */
    public void output(String name, long... dimsAfterBatch) {
        graph.addOutput(batchedFloat(name, dimsAfterBatch));
    }

    /** Adds a constant float tensor (a weight) and returns its name. Values are row-major in {@code dims}. */
    public String initializer(String name, long[] dims, float[] values) {
        long expected = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        if (expected != values.length) {
            throw new IllegalArgumentException("initializer " + name + " of shape " + Arrays.toString(dims)
                    + " needs " + expected + " values, got " + values.length);
        }
        define(name);
        // raw_data is little-endian by definition of the format, whatever the machine.
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addAllDims(Arrays.stream(dims).boxed().toList())
                .setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /**
     * Adds a node of the default domain with one output and returns the output's name.
     *
     * @param opType     ONNX operator, e.g. "Conv"
     * @param nodeName   unique, readable node name
     * @param inputs     names of tensors already defined in this graph, or {@link #OMITTED} for an optional input
     *                   left out before one that is given
     * @param output     name of the tensor the node defines
     * @param attributes made with {@link #ints}, {@link #integer}, {@link #real} or {@link #text}
     */
    public String node(String opType, String nodeName, List<String> inputs, String output,
            AttributeProto... attributes) {
        for (String input : inputs) {
            if (!input.equals(OMITTED) && !tensorNames.contains(input)) {
                throw new IllegalArgumentException("node " + nodeName + " reads " + input
                        + ", which is not defined in graph " + graph.getName());
            }
        }
        if (!nodeNames.add(nodeName)) {
            throw new IllegalArgumentException("node name " + nodeName + " is used twice in graph "
                    + graph.getName());
        }
        define(output);
        graph.addNode(NodeProto.newBuilder()
                .setOpType(opType)
                .setName(nodeName)
                .addAllInput(inputs)
                .addOutput(output)
                .addAllAttribute(List.of(attributes)));
        return output;
    }

    /** The finished model: this graph, opset {@value #OPSET}, IR version {@value #IR_VERSION}. */
    public ModelProto build() {
        for (ValueInfoProto output : graph.getOutputList()) {
            if (!tensorNames.contains(output.getName())) {
                throw new IllegalStateException("graph output " + output.getName() + " is never computed in graph "
                        + graph.getName());
            }
        }
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setGraph(graph)
                .build();
    }

    /** An INTS attribute, e.g. kernel_shape or pads. */
    public static AttributeProto ints(String name, long... values) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INTS)
                .addAllInts(Arrays.stream(values).boxed().toList())
                .build();
    }

    /** An INT attribute, e.g. axis or transB. */
    public static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(value)
                .build();
    }

    /** A FLOAT attribute, e.g. the alpha of LeakyRelu. */
    public static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.FLOAT)
                .setF(value)
                .build();
    }

    /** A STRING attribute, e.g. the mode of Resize. */
    public static AttributeProto text(String name, String value) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value))
                .build();
    }

    private void define(String name) {
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("tensor name " + name + " is defined twice in graph "
                    + graph.getName());
        }
    }

    private static ValueInfoProto batchedFloat(String name, long... dimsAfterBatch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        shape.addDimBuilder().setDimParam(BATCH);
        for (long dim : dimsAfterBatch) {
            shape.addDimBuilder().setDimValue(dim);
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
                .build();
    }
}
