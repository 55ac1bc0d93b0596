package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The branches of a fork–join split in fewer, broader parts, for the {@code grouped} plan: with L branches joined by
 * a Sum and G groups (as many as the cores a request may use), group g is consecutive branches in one graph, their
 * outputs summed there into a partial sum, and its parallel convolutions fused into one ({@link ParallelConvFusion});
 * the head's Sum then adds the G partial sums instead of the L branch outputs. Sum is associative, so the parts
 * compute what the split computed (up to the order of floating-point additions); each group is one session, so a
 * request hands off G − 1 tasks instead of L − 1, and each task is one broad operator instead of several thin ones.
 * The groups balance the branches' work ({@link ForkJoinSplit.Parts#branchWork()}, see {@link #boundaries}), since
 * a request waits for its largest group.
 */
public final class BranchGroups {

    private BranchGroups() {}

    /**
     * {@code parts} with its branches in {@code groups} groups of consecutive branches, the largest group's work as
     * small as it can be ({@link #boundaries}); empty, with the reason, where grouping changes nothing or does not
     * apply: {@code groups} at least the branches, or a join other than a Sum of exactly the branch outputs.
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
        List<Integer> boundaries = boundaries(parts.branchWork(), groups);
        for (int g = 0; g < groups; g++) {
            int from = boundaries.get(g);
            int to = boundaries.get(g + 1);
            String output = unique(parts, "group" + g + ".sum");
            groupGraphs.add(ParallelConvFusion.fuse(merged(parts, from, to, output)).model());
            groupOutputs.add(output);
            groupWork.add(parts.branchWork().subList(from, to).stream().mapToLong(Long::longValue).sum());
        }
        List<String> headInputs = new ArrayList<>(groupOutputs);
        headInputs.addAll(parts.headInputs().subList(branches, parts.headInputs().size()));
        return new Grouping(Optional.of(new ForkJoinSplit.Parts(parts.fork(), parts.join(), parts.stem(),
                parts.stemOutputs(), groupGraphs, groupOutputs, regrouped(parts, joinIndex, groupGraphs, groupOutputs),
                headInputs, groupWork)), branches + " branches in " + groups + " groups of work "
                + String.join("+", groupWork.stream().map(String::valueOf).toList()));
    }

    /** The parts in groups, or empty; {@code description} says which, or why not. */
    public record Grouping(Optional<ForkJoinSplit.Parts> parts, String description) {}

    /**
     * Where {@code groups} groups of consecutive branches begin: {@code groups + 1} indices from 0 to the number of
     * branches, group g being branches {@code b[g]} to {@code b[g + 1]} (exclusive). Every group has a branch, and the
     * largest group's work is as small as it can be. Of the groupings that achieve that, the one chosen has its
     * boundaries nearest (in branches, summed) to those of equal counts, {@code g·L/G}: with equal work, those
     * themselves, groups whose sizes differ by at most one.
     *
     * @param work   each branch's work, in order, none negative
     * @param groups from 1 to the number of branches
     */
    static List<Integer> boundaries(List<Long> work, int groups) {
        int branches = work.size();
        if (groups < 1 || groups > branches) {
            throw new IllegalArgumentException(branches + " branches cannot be put in " + groups
                    + " groups with a branch each");
        }
        long[] before = new long[branches + 1];
        for (int b = 0; b < branches; b++) {
            if (work.get(b) < 0) {
                throw new IllegalArgumentException("branch " + b + " has negative work " + work.get(b));
            }
            before[b + 1] = Math.addExact(before[b], work.get(b));
        }
        long largest = smallestLargestGroup(before, groups);
        // deviation[g][b]: the least summed distance of boundaries 1..g from g·L/G over the groupings of the first b
        // branches in g groups, none over largest; from[g][b], the boundary before b that achieves it.
        long[][] deviation = new long[groups + 1][branches + 1];
        int[][] from = new int[groups + 1][branches + 1];
        for (long[] row : deviation) {
            Arrays.fill(row, Long.MAX_VALUE);
        }
        deviation[0][0] = 0;
        for (int g = 1; g <= groups; g++) {
            int target = g * branches / groups;
            for (int b = g; b <= branches; b++) {
                for (int a = g - 1; a < b; a++) {
                    if (deviation[g - 1][a] != Long.MAX_VALUE && before[b] - before[a] <= largest
                            && deviation[g - 1][a] + Math.abs(b - target) < deviation[g][b]) {
                        deviation[g][b] = deviation[g - 1][a] + Math.abs(b - target);
                        from[g][b] = a;
                    }
                }
            }
        }
        Integer[] boundaries = new Integer[groups + 1];
        boundaries[groups] = branches;
        for (int g = groups; g > 0; g--) {
            boundaries[g - 1] = from[g][boundaries[g]];
        }
        return List.of(boundaries);
    }

    /**
     * The least work of the largest group over the groupings of all branches in {@code groups} non-empty groups of
     * consecutive branches, {@code before[b]} being the work of the branches before b.
     */
    private static long smallestLargestGroup(long[] before, int groups) {
        int branches = before.length - 1;
        // largest[b]: the least largest group over the groupings of the first b branches in g groups (g = 1 first).
        long[] largest = Arrays.copyOf(before, branches + 1);
        for (int g = 2; g <= groups; g++) {
            long[] next = new long[branches + 1];
            Arrays.fill(next, Long.MAX_VALUE);
            for (int b = g; b <= branches; b++) {
                for (int a = g - 1; a < b; a++) {
                    next[b] = Math.min(next[b], Math.max(largest[a], before[b] - before[a]));
                }
            }
            largest = next;
        }
        return largest[branches];
    }

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
