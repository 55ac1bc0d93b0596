package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Horizontal fusion of parallel convolutions: L convolutions that read one tensor, each followed by the same
 * element-wise activation (or none) and all summed, are one convolution with the L weight tensors concatenated along
 * the output channels (and the biases likewise), then the activation once, then a Split into the L groups of output
 * channels, which the Sum adds as before. The arithmetic is the same, but ONNX Runtime runs one operator instead of L
 * (it does not do this fusion itself). Everything else in the graph stays as it is.
 *
 * <p>A term qualifies when its convolution is in the default domain with group 1 and constant float weights (an
 * initializer that is not also a graph input), and its convolution and activation outputs are read by nothing but the
 * next step and the Sum. Terms of one Sum fuse when they read the same tensor with the same convolution attributes,
 * the same activation and weights of the same shape after the output channels.
 */
public final class ParallelConvFusion {

    /** Activations that act on each value alone, so applying them before or after the Split is the same. */
    private static final Set<String> ELEMENTWISE = Set.of("Relu", "LeakyRelu", "Elu", "Selu", "Sigmoid",
            "HardSigmoid", "HardSwish", "Tanh", "Softplus", "Softsign");

    /** From this opset on, Split takes the sizes of its parts as an input; before it, as an attribute. */
    private static final long SPLIT_SIZES_AS_INPUT = 13;

    /**
     * The rewritten model and, per fused layer, how many convolutions it replaced; no layers (and the model as it
     * was) when the graph has no parallel convolutions to fuse.
     */
    public record Fused(ModelProto model, List<Integer> fusedLayers) {

        public Fused {
            fusedLayers = List.copyOf(fusedLayers);
        }
    }

    /** One summand: a convolution, its activation (null for none), and the tensor the Sum reads. */
    private record Term(NodeProto conv, NodeProto activation, String output) {}

    /** What terms must share to fuse. AttributeProto compares by value, so equal keys mean equal layers. */
    private record LayerKey(String input, List<AttributeProto> convAttributes, String activation,
            List<AttributeProto> activationAttributes, List<Long> weightDimsAfterOutput, boolean bias) {}

    private final ModelProto model;
    private final GraphProto graph;
    private final long opset;
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, TensorProto> initializers = new HashMap<>();
    private final Set<String> graphInputs = new HashSet<>();
    private final Set<String> names = new HashSet<>();

    private ParallelConvFusion(ModelProto model) {
        this.model = model;
        this.graph = model.getGraph();
        this.opset = model.getOpsetImportList().stream()
                .filter(set -> set.getDomain().isEmpty() || set.getDomain().equals("ai.onnx"))
                .mapToLong(OperatorSetIdProto::getVersion).max().orElse(1);
        for (NodeProto node : graph.getNodeList()) {
            node.getOutputList().forEach(output -> producers.put(output, node));
            node.getInputList().forEach(input -> readers.merge(input, 1, Integer::sum));
            names.add(node.getName());
            names.addAll(node.getOutputList());
        }
        graph.getOutputList().forEach(output -> readers.merge(output.getName(), 1, Integer::sum));
        graph.getInitializerList().forEach(tensor -> initializers.put(tensor.getName(), tensor));
        graph.getInputList().forEach(input -> graphInputs.add(input.getName()));
        names.addAll(initializers.keySet());
        names.addAll(graphInputs);
    }

    /** Fuses every group of at least two parallel convolutions that one Sum adds. */
    public static Fused fuse(ModelProto model) {
        return new ParallelConvFusion(model).fuseAll();
    }

    private Fused fuseAll() {
        // Per original node: the nodes that replace it (none for a fused term's conv and activation).
        Map<NodeProto, List<NodeProto>> replacements = new HashMap<>();
        Set<String> removedTensors = new HashSet<>();
        Set<String> replacedWeights = new HashSet<>();
        List<Integer> fusedLayers = new ArrayList<>();
        GraphProto.Builder rewritten = graph.toBuilder();
        for (NodeProto node : graph.getNodeList()) {
            if (!GraphIndex.isDefaultDomain(node) || !node.getOpType().equals("Sum")) {
                continue;
            }
            Map<String, String> sumInputs = new HashMap<>();
            for (List<Term> layer : parallelLayers(node)) {
                String base = unusedBase("wide" + fusedLayers.size());
                List<NodeProto> fusedNodes = fusedLayer(base, layer, rewritten, sumInputs);
                NodeProto first = layer.stream().map(Term::conv)
                        .min(Comparator.comparingInt(graph.getNodeList()::indexOf)).orElseThrow();
                for (Term term : layer) {
                    replacements.put(term.conv(), List.of());
                    removedTensors.add(term.conv().getOutput(0));
                    replacedWeights.addAll(term.conv().getInputList().subList(1, term.conv().getInputCount()));
                    if (term.activation() != null) {
                        replacements.put(term.activation(), List.of());
                        removedTensors.add(term.activation().getOutput(0));
                    }
                }
                replacements.put(first, fusedNodes);
                fusedLayers.add(layer.size());
            }
            if (!sumInputs.isEmpty()) {
                NodeProto.Builder sum = node.toBuilder().clearInput();
                node.getInputList().forEach(input -> sum.addInput(sumInputs.getOrDefault(input, input)));
                replacements.put(node, List.of(sum.build()));
            }
        }
        if (fusedLayers.isEmpty()) {
            return new Fused(model, List.of());
        }
        rewritten.clearNode();
        for (NodeProto node : graph.getNodeList()) {
            rewritten.addAllNode(replacements.getOrDefault(node, List.of(node)));
        }
        dropReplaced(rewritten, removedTensors, replacedWeights);
        return new Fused(model.toBuilder().setGraph(rewritten).build(), fusedLayers);
    }

    /** The Sum's terms grouped into layers that fuse, each of at least two terms, in the order the Sum reads them. */
    private List<List<Term>> parallelLayers(NodeProto sum) {
        Map<LayerKey, List<Term>> layers = new LinkedHashMap<>();
        for (String input : sum.getInputList()) {
            Term term = term(input);
            if (term != null) {
                layers.computeIfAbsent(key(term), k -> new ArrayList<>()).add(term);
            }
        }
        return layers.values().stream().filter(terms -> terms.size() >= 2).toList();
    }

    /** The term that computes {@code tensor} for the Sum alone, or null if it is not a convolution that fuses. */
    private Term term(String tensor) {
        NodeProto node = producers.get(tensor);
        if (node == null || readers.getOrDefault(tensor, 0) != 1 || !GraphIndex.isDefaultDomain(node)) {
            return null;
        }
        NodeProto activation = null;
        if (ELEMENTWISE.contains(node.getOpType()) && node.getInputCount() == 1) {
            activation = node;
            String convOutput = node.getInput(0);
            node = producers.get(convOutput);
            if (node == null || readers.getOrDefault(convOutput, 0) != 1 || !GraphIndex.isDefaultDomain(node)) {
                return null;
            }
        }
        if (!node.getOpType().equals("Conv") || node.getOutputCount() != 1 || node.getInputCount() < 2
                || intAttribute(node, "group") != 1) {
            return null;
        }
        List<String> weights = node.getInputList().subList(1, node.getInputCount());
        for (String weight : weights) {
            TensorProto values = initializers.get(weight);
            if (values == null || graphInputs.contains(weight)
                    || values.getDataType() != TensorProto.DataType.FLOAT.getNumber()
                    || values.getDataLocation() != TensorProto.DataLocation.DEFAULT) {
                return null;
            }
        }
        return new Term(node, activation, tensor);
    }

    private LayerKey key(Term term) {
        NodeProto conv = term.conv();
        NodeProto activation = term.activation();
        List<Long> weightDims = initializers.get(conv.getInput(1)).getDimsList();
        return new LayerKey(conv.getInput(0), sortedAttributes(conv),
                activation == null ? "" : activation.getOpType(),
                activation == null ? List.of() : sortedAttributes(activation),
                weightDims.subList(1, weightDims.size()), conv.getInputCount() == 3);
    }

    /**
     * The fused convolution, activation and Split of one layer; adds their weights to {@code rewritten} and maps
     * each term's output to its part of the Split in {@code sumInputs}.
     */
    private List<NodeProto> fusedLayer(String base, List<Term> layer, GraphProto.Builder rewritten,
            Map<String, String> sumInputs) {
        NodeProto firstConv = layer.getFirst().conv();
        List<Long> weightDims = new ArrayList<>(initializers.get(firstConv.getInput(1)).getDimsList());
        long[] parts = new long[layer.size()];
        for (int k = 0; k < layer.size(); k++) {
            parts[k] = initializers.get(layer.get(k).conv().getInput(1)).getDims(0);
        }
        weightDims.set(0, Arrays.stream(parts).sum());
        String convName = base + ".conv";
        NodeProto.Builder conv = firstConv.toBuilder().setName(convName).clearInput().clearOutput()
                .addInput(firstConv.getInput(0))
                .addInput(addConcatenated(rewritten, convName + ".weight", layer, 1, weightDims))
                .addOutput(convName);
        if (firstConv.getInputCount() == 3) {
            conv.addInput(addConcatenated(rewritten, convName + ".bias", layer, 2, List.of(weightDims.getFirst())));
        }
        List<NodeProto> nodes = new ArrayList<>(List.of(conv.build()));
        String activated = convName;
        NodeProto firstActivation = layer.getFirst().activation();
        if (firstActivation != null) {
            activated = base + ".act";
            nodes.add(firstActivation.toBuilder().setName(activated).clearInput().clearOutput()
                    .addInput(convName).addOutput(activated).build());
        }
        String splitName = base + ".split";
        NodeProto.Builder split = NodeProto.newBuilder().setOpType("Split").setName(splitName).addInput(activated)
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(1));
        if (opset >= SPLIT_SIZES_AS_INPUT) {
            String sizes = splitName + ".sizes";
            rewritten.addInitializer(TensorProto.newBuilder().setName(sizes)
                    .setDataType(TensorProto.DataType.INT64.getNumber()).addDims(parts.length)
                    .addAllInt64Data(Arrays.stream(parts).boxed().toList()));
            split.addInput(sizes);
        } else {
            split.addAttribute(AttributeProto.newBuilder().setName("split").setType(AttributeProto.AttributeType.INTS)
                    .addAllInts(Arrays.stream(parts).boxed().toList()));
        }
        for (int k = 0; k < layer.size(); k++) {
            String part = splitName + "." + k;
            split.addOutput(part);
            sumInputs.put(layer.get(k).output(), part);
        }
        nodes.add(split.build());
        return nodes;
    }

    /**
     * Adds the float initializer {@code name} of shape {@code dims}: the initializers that input {@code inputIndex}
     * of the layer's convolutions name, concatenated along their first dimension.
     */
    private String addConcatenated(GraphProto.Builder rewritten, String name, List<Term> layer, int inputIndex,
            List<Long> dims) {
        List<float[]> values = layer.stream().map(term -> floats(initializers.get(term.conv().getInput(inputIndex))))
                .toList();
        ByteBuffer bytes = ByteBuffer.allocate(Float.BYTES * values.stream().mapToInt(v -> v.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer concatenated = bytes.asFloatBuffer();
        values.forEach(concatenated::put);
        rewritten.addInitializer(TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT.getNumber()).addAllDims(dims)
                .setRawData(ByteString.copyFrom(bytes.array())));
        return name;
    }

    /** A float tensor's values, from raw_data (little-endian by the format's definition) or float_data. */
    private static float[] floats(TensorProto tensor) {
        if (tensor.getRawData().isEmpty()) {
            float[] values = new float[tensor.getFloatDataCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = tensor.getFloatData(i);
            }
            return values;
        }
        float[] values = new float[tensor.getRawData().size() / Float.BYTES];
        tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /**
     * Removes the replaced weights that no node reads any more (another node may share one) and the value infos of
     * the tensors the replaced nodes computed.
     */
    private static void dropReplaced(GraphProto.Builder rewritten, Set<String> removedTensors,
            Set<String> replacedWeights) {
        Set<String> read = new HashSet<>();
        rewritten.getNodeList().forEach(node -> read.addAll(node.getInputList()));
        List<TensorProto> kept = rewritten.getInitializerList().stream()
                .filter(tensor -> read.contains(tensor.getName()) || !replacedWeights.contains(tensor.getName()))
                .toList();
        rewritten.clearInitializer().addAllInitializer(kept);
        List<ValueInfoProto> infos = rewritten.getValueInfoList().stream()
                .filter(info -> !removedTensors.contains(info.getName())).toList();
        rewritten.clearValueInfo().addAllValueInfo(infos);
    }

    /** {@code wanted}, or with a number appended, such that no name in the graph is it or starts with it and a dot. */
    private String unusedBase(String wanted) {
        String base = wanted;
        for (int n = 1; isTaken(base); n++) {
            base = wanted + "_" + n;
        }
        names.add(base);
        return base;
    }

    private boolean isTaken(String base) {
        return names.stream().anyMatch(name -> name.equals(base) || name.startsWith(base + "."));
    }

    /** An INT attribute of {@code node}, 1 when absent (the default of Conv's group). */
    private static long intAttribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(attribute -> attribute.getName().equals(name))
                .mapToLong(AttributeProto::getI).findFirst().orElse(1);
    }

    private static List<AttributeProto> sortedAttributes(NodeProto node) {
        return node.getAttributeList().stream().sorted(Comparator.comparing(AttributeProto::getName)).toList();
    }
}
