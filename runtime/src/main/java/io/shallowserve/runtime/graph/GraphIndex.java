package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Who computes and who reads each tensor of one ONNX graph, with its nodes in a topological order, for the analyses
 * that cut it. A node's reads include the outer-scope tensors that the graphs in its attributes (the bodies of If,
 * Loop, Scan) use without naming them as inputs, since such a node cannot run without them either.
 *
 * <p>A tensor is constant when it is an initializer (also one listed as a graph input too, as IR version 3 lists
 * every weight: the plans never feed one) or when a node computes it from constants only; a node without inputs
 * counts as constant only if it is a {@code Constant}, since the others (the random generators) differ per run. A
 * cut copies the constant nodes it needs into each part that reads them.
 */
final class GraphIndex {

    private final GraphProto graph;
    private final List<NodeProto> nodes;
    private final List<Set<String>> reads = new ArrayList<>();
    private final Map<String, Integer> producers = new HashMap<>();
    private final Map<String, List<Integer>> readers = new HashMap<>();
    private final Set<String> constants = new HashSet<>();
    private final List<String> inputs = new ArrayList<>();
    private final Set<String> outputs = new LinkedHashSet<>();

    /**
     * @throws IllegalArgumentException if two nodes (or a node and an initializer or input) write one tensor, or the
     *                                  nodes form a cycle or read a tensor that nothing defines
     */
    GraphIndex(GraphProto graph) {
        this.graph = graph;
        Set<String> initializers = new HashSet<>();
        graph.getInitializerList().forEach(tensor -> initializers.add(tensor.getName()));
        graph.getSparseInitializerList().forEach(tensor -> initializers.add(tensor.getValues().getName()));
        constants.addAll(initializers);
        Set<String> defined = new HashSet<>(initializers);
        for (ValueInfoProto input : graph.getInputList()) {
            if (!initializers.contains(input.getName())) {
                inputs.add(input.getName());
                define(defined, input.getName(), "graph input");
            }
        }
        this.nodes = topologicalOrder(graph.getNodeList(), defined);
        for (int i = 0; i < nodes.size(); i++) {
            NodeProto node = nodes.get(i);
            Set<String> nodeReads = reads(node);
            reads.add(nodeReads);
            for (String tensor : nodeReads) {
                readers.computeIfAbsent(tensor, t -> new ArrayList<>()).add(i);
            }
            for (String output : node.getOutputList()) {
                if (!output.isEmpty()) {
                    producers.put(output, i);
                }
            }
            boolean constant = nodeReads.isEmpty() ? isDefaultDomain(node) && node.getOpType().equals("Constant")
                    : constants.containsAll(nodeReads);
            if (constant) {
                node.getOutputList().stream().filter(output -> !output.isEmpty()).forEach(constants::add);
            }
        }
        graph.getOutputList().forEach(output -> outputs.add(output.getName()));
    }

    GraphProto graph() {
        return graph;
    }

    /** The nodes in a topological order: the graph's own order where that already is one. */
    List<NodeProto> nodes() {
        return nodes;
    }

    /** The tensors node {@code index} reads: its named inputs and the outer-scope tensors of its sub-graphs. */
    Set<String> reads(int index) {
        return reads.get(index);
    }

    /** The index of the node that computes {@code tensor}; -1 for a graph input or an initializer. */
    int producer(String tensor) {
        return producers.getOrDefault(tensor, -1);
    }

    /** The nodes that read {@code tensor}, each once, in topological order. */
    List<Integer> readers(String tensor) {
        return readers.getOrDefault(tensor, List.of());
    }

    boolean isConstant(String tensor) {
        return constants.contains(tensor);
    }

    /** Whether node {@code index} computes constants only (so every part that reads them gets a copy). */
    boolean isConstantNode(int index) {
        return nodes.get(index).getOutputList().stream().anyMatch(constants::contains);
    }

    /** The graph inputs that are not initializers, in the graph's order. */
    List<String> inputs() {
        return inputs;
    }

    Set<String> outputs() {
        return outputs;
    }

    /** The node for messages: its name, or its operator and first output when it has no name. */
    String describe(int index) {
        NodeProto node = nodes.get(index);
        return node.getName().isEmpty() ? node.getOpType() + " writing " + node.getOutputList()
                : node.getOpType() + " " + node.getName();
    }

    /**
     * The graph's nodes ordered so that each comes after the nodes computing what it reads (Kahn's algorithm, taking
     * the earliest ready node first, so a sorted graph keeps its order).
     */
    private static List<NodeProto> topologicalOrder(List<NodeProto> graphNodes, Set<String> defined) {
        Map<String, Integer> writer = new HashMap<>();
        for (int i = 0; i < graphNodes.size(); i++) {
            for (String output : graphNodes.get(i).getOutputList()) {
                if (!output.isEmpty()) {
                    define(defined, output, graphNodes.get(i).getOpType() + " node");
                    writer.put(output, i);
                }
            }
        }
        int[] waitingFor = new int[graphNodes.size()];
        List<List<Integer>> waiting = new ArrayList<>();
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < graphNodes.size(); i++) {
            waiting.add(new ArrayList<>());
        }
        for (int i = 0; i < graphNodes.size(); i++) {
            for (String tensor : reads(graphNodes.get(i))) {
                if (!defined.contains(tensor)) {
                    throw new IllegalArgumentException("node " + graphNodes.get(i).getOpType() + " "
                            + graphNodes.get(i).getName() + " reads " + tensor + ", which nothing in the graph defines");
                }
                Integer source = writer.get(tensor);
                if (source != null) {
                    waitingFor[i]++;
                    waiting.get(source).add(i);
                }
            }
            if (waitingFor[i] == 0) {
                ready.add(i);
            }
        }
        List<NodeProto> ordered = new ArrayList<>(graphNodes.size());
        while (!ready.isEmpty()) {
            int next = ready.poll();
            ordered.add(graphNodes.get(next));
            for (int reader : waiting.get(next)) {
                if (--waitingFor[reader] == 0) {
                    ready.add(reader);
                }
            }
        }
        if (ordered.size() < graphNodes.size()) {
            throw new IllegalArgumentException("the graph's nodes form a cycle (" + (graphNodes.size() - ordered.size())
                    + " nodes wait on one another)");
        }
        return ordered;
    }

    private static void define(Set<String> defined, String tensor, String what) {
        if (!defined.add(tensor)) {
            throw new IllegalArgumentException("tensor " + tensor + " is defined twice (again by a " + what + ")");
        }
    }

    /** The named inputs of {@code node} (an empty name is an absent optional input) and its sub-graphs' outer reads. */
    private static Set<String> reads(NodeProto node) {
        Set<String> tensors = new LinkedHashSet<>();
        node.getInputList().stream().filter(input -> !input.isEmpty()).forEach(tensors::add);
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.hasG()) {
                tensors.addAll(outerReads(attribute.getG()));
            }
            attribute.getGraphsList().forEach(body -> tensors.addAll(outerReads(body)));
        }
        return tensors;
    }

    /** What the nodes of {@code body} read that {@code body} does not define itself: its outer-scope tensors. */
    private static Set<String> outerReads(GraphProto body) {
        Set<String> local = new HashSet<>();
        body.getInputList().forEach(input -> local.add(input.getName()));
        body.getInitializerList().stream().map(TensorProto::getName).forEach(local::add);
        body.getSparseInitializerList().stream().map(SparseTensorProto::getValues).map(TensorProto::getName)
                .forEach(local::add);
        body.getNodeList().forEach(node -> local.addAll(node.getOutputList()));
        Set<String> outer = new LinkedHashSet<>();
        for (NodeProto node : body.getNodeList()) {
            reads(node).stream().filter(tensor -> !local.contains(tensor)).forEach(outer::add);
        }
        body.getOutputList().stream().map(ValueInfoProto::getName).filter(tensor -> !local.contains(tensor))
                .forEach(outer::add);
        return outer;
    }

    /** Whether {@code node} is an operator of the default ONNX domain, which is named "" or "ai.onnx". */
    static boolean isDefaultDomain(NodeProto node) {
        return node.getDomain().isEmpty() || node.getDomain().equals("ai.onnx");
    }
}
