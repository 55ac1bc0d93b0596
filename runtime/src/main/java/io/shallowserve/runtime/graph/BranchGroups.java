package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The branches of a fork–join split in fewer, broader parts, for the {@code grouped} plan: with L branches joined by
 * a Sum and G groups (as many as the cores a request may use), group g is its branches in one graph, their outputs
 * summed there into a partial sum, and its parallel convolutions fused into one ({@link ParallelConvFusion}); the
 * head's Sum then adds the G partial sums instead of the L branch outputs. Sum is associative, so the parts compute
 * what the split computed (up to the order of floating-point additions); each group is one session, so a request
 * hands off G − 1 tasks instead of L − 1, and each task is one broad operator instead of several thin ones.
 */
public final class BranchGroups {

    private BranchGroups() {}

    /**
     * {@code parts} with its branches in {@code groups} groups of consecutive branches (sizes differing by at most
     * one); empty, with the reason, where grouping changes nothing or does not apply: {@code groups} at least the
     * branches, or a join other than a Sum of exactly the branch outputs.
     */
    public static Grouping group(ForkJoinSplit.Parts parts, int groups) {
        int branches = parts.branches().size();
        if (groups < 2 || groups >= branches) {
            return new Grouping(Optional.empty(), branches + " branches in " + groups + " groups would be the"
                    + " branches plan itself");
        }
        GraphProto head = parts.head().getGraph();
        int joinIndex = joinNode(head, parts.branchOutputs());
        if (joinIndex < 0) {
            return new Grouping(Optional.empty(), "the branches are joined by " + parts.join()
                    + ", not a Sum of the branch outputs alone, so they have no partial sums to form");
        }
        List<ModelProto> groupGraphs = new ArrayList<>(groups);
        List<String> groupOutputs = new ArrayList<>(groups);
        List<Long> groupWork = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            int from = g * branches / groups;
            int to = (g + 1) * branches / groups;
            String output = unique(parts, "group" + g + ".sum");
            groupGraphs.add(ParallelConvFusion.fuse(merged(parts, from, to, output)).model());
            groupOutputs.add(output);
            groupWork.add(parts.branchWork().subList(from, to).stream().mapToLong(Long::longValue).sum());
        }
        List<String> headInputs = new ArrayList<>(groupOutputs);
        headInputs.addAll(parts.headInputs().subList(branches, parts.headInputs().size()));
        return new Grouping(Optional.of(new ForkJoinSplit.Parts(parts.fork(), parts.join(), parts.stem(),
                parts.stemOutputs(), groupGraphs, groupOutputs, regrouped(parts, joinIndex, groupGraphs, groupOutputs),
                headInputs, groupWork)), branches + " branches in " + groups + " groups");
    }

    /** The parts in groups, or empty; {@code description} says which, or why not. */
    public record Grouping(Optional<ForkJoinSplit.Parts> parts, String description) {}

    /** The head's node that is a Sum of exactly the branch outputs, or -1. */
    private static int joinNode(GraphProto head, List<String> branchOutputs) {
        for (int i = 0; i < head.getNodeCount(); i++) {
            NodeProto node = head.getNode(i);
            if (node.getOpType().equals("Sum") && GraphIndex.isDefaultDomain(node)
                    && Set.copyOf(node.getInputList()).equals(Set.copyOf(branchOutputs))
                    && node.getInputCount() == branchOutputs.size()) {
                return i;
            }
        }
        return -1;
    }

    /** Branches {@code from} to {@code to} (exclusive) as one graph, their outputs summed into {@code output}. */
    private static ModelProto merged(ForkJoinSplit.Parts parts, int from, int to, String output) {
        ModelProto first = parts.branches().get(from);
        GraphProto.Builder graph = GraphProto.newBuilder().setName(first.getGraph().getName() + ".group")
                .addAllInput(first.getGraph().getInputList());
        Set<String> produced = new HashSet<>();
        Set<String> initializers = new HashSet<>();
        for (ModelProto branch : parts.branches().subList(from, to)) {
            for (NodeProto node : branch.getGraph().getNodeList()) {
                // A constant node every branch copied is needed once.
                if (produced.addAll(node.getOutputList())) {
                    graph.addNode(node);
                }
            }
            for (TensorProto initializer : branch.getGraph().getInitializerList()) {
                if (initializers.add(initializer.getName())) {
                    graph.addInitializer(initializer);
                }
            }
            graph.addAllValueInfo(branch.getGraph().getValueInfoList());
        }
        graph.addNode(NodeProto.newBuilder().setOpType("Sum").setName(output)
                .addAllInput(parts.branchOutputs().subList(from, to)).addOutput(output));
        ValueInfoProto branchOutput = first.getGraph().getOutput(0);
        graph.addOutput(branchOutput.toBuilder().setName(output));
        return first.toBuilder().setGraph(graph).build();
    }

    /** The head with its Sum adding the partial sums, which it takes as inputs in place of the branch outputs. */
    private static ModelProto regrouped(ForkJoinSplit.Parts parts, int joinIndex, List<ModelProto> groupGraphs,
            List<String> groupOutputs) {
        GraphProto head = parts.head().getGraph();
        GraphProto.Builder graph = head.toBuilder().clearInput();
        for (ModelProto group : groupGraphs) {
            graph.addInput(group.getGraph().getOutput(0));
        }
        head.getInputList().stream().filter(input -> !parts.branchOutputs().contains(input.getName()))
                .forEach(graph::addInput);
        graph.setNode(joinIndex, head.getNode(joinIndex).toBuilder().clearInput().addAllInput(groupOutputs));
        return parts.head().toBuilder().setGraph(graph).build();
    }

    /** {@code name}, or it with a suffix where a part already has a tensor of that name. */
    private static String unique(ForkJoinSplit.Parts parts, String name) {
        Set<String> taken = new HashSet<>();
        for (ModelProto part : parts.branches()) {
            part.getGraph().getNodeList().forEach(node -> taken.addAll(node.getOutputList()));
        }
        parts.head().getGraph().getNodeList().forEach(node -> taken.addAll(node.getOutputList()));
        String candidate = name;
        for (int suffix = 1; taken.contains(candidate); suffix++) {
            candidate = name + "." + suffix;
        }
        return candidate;
    }
}
