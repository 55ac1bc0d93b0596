package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The types of the tensors where a graph is cut, which the parts need for their inputs and outputs. A type the graph
 * states (an input, an output or a value_info entry with a type) is taken as it is. The others come from ONNX
 * Runtime's own type and shape inference: the graph is opened once, on the CPU, with those tensors added as outputs
 * without a type, and the session reports the element type and shape it inferred for each; nothing is run. A
 * dimension ONNX Runtime knows only by name keeps its name (e.g. {@code batch}); one it does not know at all stays
 * unknown, and a tensor whose rank it does not know gets no shape.
 */
final class TensorTypes {

    private static final String ORT_TYPE_PREFIX = "ONNX_TENSOR_ELEMENT_DATA_TYPE_";

    private TensorTypes() {}

    /**
     * A value_info entry with a type for each of {@code tensors}, in their order.
     *
     * @throws OrtException             if ONNX Runtime cannot open the graph to infer a missing type
     * @throws IllegalArgumentException if one of them is not a tensor (a sequence or a map) or has an element type
     *                                  the ONNX protobuf classes do not know
     */
    static Map<String, ValueInfoProto> of(ModelProto model, Collection<String> tensors) throws OrtException {
        GraphProto graph = model.getGraph();
        Map<String, ValueInfoProto> stated = new HashMap<>();
        List.of(graph.getInputList(), graph.getValueInfoList(), graph.getOutputList())
                .forEach(infos -> infos.stream().filter(ValueInfoProto::hasType)
                        .forEach(info -> stated.put(info.getName(), info)));
        List<String> missing = tensors.stream().filter(tensor -> !stated.containsKey(tensor)).distinct().toList();
        if (!missing.isEmpty()) {
            stated.putAll(inferred(model, missing));
        }
        Map<String, ValueInfoProto> types = new LinkedHashMap<>();
        tensors.forEach(tensor -> types.put(tensor, stated.get(tensor)));
        return types;
    }

    /** The types ONNX Runtime infers for {@code tensors}, asked for as extra outputs of the whole graph. */
    private static Map<String, ValueInfoProto> inferred(ModelProto model, List<String> tensors) throws OrtException {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        List<String> outputs = new ArrayList<>();
        graph.getOutputList().forEach(output -> outputs.add(output.getName()));
        tensors.stream().filter(tensor -> !outputs.contains(tensor))
                .forEach(tensor -> graph.addOutput(ValueInfoProto.newBuilder().setName(tensor)));
        Map<String, ValueInfoProto> types = new HashMap<>();
        try (OrtSession session = OrtEnvironment.getEnvironment()
                .createSession(model.toBuilder().setGraph(graph).build().toByteArray())) {
            Map<String, NodeInfo> infos = session.getOutputInfo();
            for (String tensor : tensors) {
                if (!(infos.get(tensor).getInfo() instanceof TensorInfo info)) {
                    throw new IllegalArgumentException(tensor + " is " + infos.get(tensor).getInfo()
                            + ", not a tensor");
                }
                types.put(tensor, valueInfo(tensor, info));
            }
        }
        return types;
    }

    private static ValueInfoProto valueInfo(String tensor, TensorInfo info) {
        // ONNX Runtime's Java enum numbers its element types its own way; the names after the prefix are ONNX's.
        String elementType = info.onnxType.name().substring(ORT_TYPE_PREFIX.length());
        TypeProto.Tensor.Builder type = TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.valueOf(elementType).getNumber());
        long[] dims = info.getShape();
        if (dims.length > 0) {
            TensorShapeProto.Builder shape = type.getShapeBuilder();
            String[] names = info.getDimensionNames();
            for (int i = 0; i < dims.length; i++) {
                TensorShapeProto.Dimension.Builder dim = shape.addDimBuilder();
                if (dims[i] >= 0) {
                    dim.setDimValue(dims[i]);
                } else if (!names[i].isEmpty()) {
                    dim.setDimParam(names[i]);
                }
            }
        }
        return ValueInfoProto.newBuilder().setName(tensor).setType(TypeProto.newBuilder().setTensorType(type)).build();
    }
}
