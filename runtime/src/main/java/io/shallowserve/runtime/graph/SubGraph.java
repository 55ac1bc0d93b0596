package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One part of a cut graph as a model of its own: the same opset imports, IR version and local functions as the whole
 * model; its nodes in the whole graph's topological order, with copies of the constant nodes they read; only the
 * initializers those nodes read; typed inputs and outputs; and the value_info entries of the tensors it computes.
 */
final class SubGraph {

    private SubGraph() {}

    /**
     * @param nodes   indices into {@code index}'s nodes; the constant nodes they read are added
     * @param inputs  the tensors the part is fed, each with a type in {@code types}
     * @param outputs the tensors the part returns, each with a type in {@code types}
     */
    static ModelProto of(ModelProto model, GraphIndex index, String name, Collection<Integer> nodes,
            List<String> inputs, List<String> outputs, Map<String, ValueInfoProto> types) {
        Set<Integer> included = withConstantNodes(index, nodes);
        GraphProto whole = index.graph();
        Set<String> read = new HashSet<>();
        Set<String> computed = new HashSet<>();
        GraphProto.Builder graph = GraphProto.newBuilder().setName(whole.getName() + "." + name);
        for (int node : included) {
            graph.addNode(index.nodes().get(node));
            read.addAll(index.reads(node));
            computed.addAll(index.nodes().get(node).getOutputList());
        }
        whole.getInitializerList().stream().filter(tensor -> read.contains(tensor.getName()))
                .forEach(graph::addInitializer);
        whole.getSparseInitializerList().stream().filter(tensor -> read.contains(tensor.getValues().getName()))
                .forEach(graph::addSparseInitializer);
        inputs.forEach(input -> graph.addInput(types.get(input)));
        outputs.forEach(output -> graph.addOutput(types.get(output)));
        whole.getValueInfoList().stream()
                .filter(info -> computed.contains(info.getName()) && !outputs.contains(info.getName()))
                .forEach(graph::addValueInfo);
        return model.toBuilder().setGraph(graph).build();
    }

    /** {@code nodes} and every constant node they read from, directly or through other constant nodes, sorted. */
    private static Set<Integer> withConstantNodes(GraphIndex index, Collection<Integer> nodes) {
        Set<Integer> included = new TreeSet<>(nodes);
        Deque<Integer> toVisit = new ArrayDeque<>(nodes);
        while (!toVisit.isEmpty()) {
            for (String tensor : index.reads(toVisit.pop())) {
                int producer = index.producer(tensor);
                if (producer >= 0 && index.isConstant(tensor) && included.add(producer)) {
                    toVisit.push(producer);
                }
            }
        }
        return included;
    }
}
