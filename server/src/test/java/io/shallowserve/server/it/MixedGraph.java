package io.shallowserve.server.it;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A graph the trainer did not write, of the datatypes a stock client sends besides FP32, with a batch dimension:
 * inputs a (INT64 [-1, 2]), b (FP32 [-1, 2]), s (BYTES [-1]) and m (BOOL [-1, 2]); outputs sum = float(a) + b
 * (FP32), positive = sum &gt; 0 (BOOL), same = s (BYTES) and kept = a where m, else 0 (INT64), in that order. Its one
 * initializer is the scalar "zero".
 */
final class MixedGraph {

    private MixedGraph() {
    }

    /** Writes the graph as {@code <root>/<model>/1/model.onnx}, a version served from model.onnx alone. */
    static void write(Path root, String model) throws IOException {
        Path version = Files.createDirectories(root.resolve(model).resolve("1"));
        Files.write(version.resolve("model.onnx"), model().toByteArray());
    }

    private static ModelProto model() {
        GraphProto graph = GraphProto.newBuilder().setName("mixed")
                .addInput(value("a", TensorProto.DataType.INT64, 2))
                .addInput(value("b", TensorProto.DataType.FLOAT, 2))
                .addInput(value("s", TensorProto.DataType.STRING, 0))
                .addInput(value("m", TensorProto.DataType.BOOL, 2))
                .addNode(cast("a", "a_float", TensorProto.DataType.FLOAT))
                .addNode(NodeProto.newBuilder().setOpType("Add").addInput("a_float").addInput("b").addOutput("sum"))
                .addNode(NodeProto.newBuilder().setOpType("Greater").addInput("sum").addInput("zero")
                        .addOutput("positive"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("s").addOutput("same"))
                .addNode(cast("m", "m_int", TensorProto.DataType.INT64))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("a").addInput("m_int").addOutput("kept"))
                .addInitializer(TensorProto.newBuilder().setName("zero")
                        .setDataType(TensorProto.DataType.FLOAT.getNumber()).addFloatData(0f))
                .addOutput(value("sum", TensorProto.DataType.FLOAT, 2))
                .addOutput(value("positive", TensorProto.DataType.BOOL, 2))
                .addOutput(value("same", TensorProto.DataType.STRING, 0))
                .addOutput(value("kept", TensorProto.DataType.INT64, 2))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
    }

    private static NodeProto cast(String input, String output, TensorProto.DataType to) {
        return NodeProto.newBuilder().setOpType("Cast").addInput(input).addOutput(output)
                .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                        .setI(to.getNumber()))
                .build();
    }

    /** A tensor [batch] or [batch, columns] with the batch dimension named, as exporters write it. */
    private static ValueInfoProto value(String name, TensorProto.DataType type, int columns) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        if (columns > 0) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }
}
