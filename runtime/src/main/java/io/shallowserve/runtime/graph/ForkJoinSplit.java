package io.shallowserve.runtime.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Cuts any ONNX graph at its most parallel fork–join region into a stem, independent branches and a head, each a
 * model of its own, so that the branches can run at the same time: what the trainer's shallow models ship as
 * {@code branches/}, found here in a graph nobody exported that way.
 *
 * <p>A region is a join node J (any operator: Sum, Add, Concat, Mean, Max...) and a fork tensor F, the latest tensor
 * that all of J's non-constant inputs are computed from. Each input of J other than F is a branch output; its branch
 * is every node it is computed from after F. The region qualifies when there are at least two branches, no branch
 * needs a node of another (the paths do not cross), every branch reads nothing computed but F and its own tensors
 * (initializers and constants are copied in), no branch hands a tensor to the head except its output, and every
 * graph output is computed after the split, in the head. The stem is every node F is computed from (none when F is a
 * graph input); the head is every other node, J included, so that running the branches and feeding their outputs to
 * the head needs no arithmetic outside ONNX Runtime. The head may also read F, other stem tensors and graph inputs.
 *
 * <p>Of several regions the one chosen takes the most work off the critical path: the total work of its branches
 * less that of its largest one, which is what running them at once rather than one after another can save. A node's
 * work is taken as one plus the weights (elements of initializers and Constant nodes' tensors) it reads times the
 * positions it applies them to: a
 * convolution or matrix product costs about that many multiply-adds. The positions are the elements of the node's
 * first output per channel (axis 1; the last axis of a MatMul), the batch taken as 1, so a branch on a map pooled
 * 2×2 (a later parnet stream) does a quarter of the work per weight of one on the full map. Where that output's
 * size beyond the batch is not known, the node counts its weights alone. Ties go to more branches, then to the
 * earlier join. Regions nested in the chosen one's stem or head stay there.
 *
 * <p>The tensors' types, shapes included, come from the graph's inputs, outputs and value_info, or, where the graph
 * states none, from ONNX Runtime's inference (see {@link TensorTypes}), asked once per split for every tensor the
 * graph computes: the positions need them, and the parts' inputs and outputs are typed from them.
 */
public final class ForkJoinSplit {

    /** What {@link #split} finds: the parts, or why there are none. */
    public sealed interface Outcome permits Parts, NoRegion {}

    /**
     * The graph cut at one fork–join region. Tensors keep their names in every part. To run it: feed the stem the
     * graph inputs it declares; feed each branch {@code fork} (a stem output, or a graph input when there is no
     * stem); feed the head {@code headInputs}, which are branch outputs, stem outputs and graph inputs; the head
     * returns every graph output.
     *
     * @param fork          the tensor every branch reads
     * @param join          the node that joins the branches (operator and name), now the head's
     * @param stem          graph inputs to {@code stemOutputs}; empty when {@code fork} is a graph input
     * @param stemOutputs   {@code fork} first, then the other stem tensors the head reads
     * @param branches      one per branch, {@code fork} to its branch output
     * @param branchOutputs the branch outputs, in the order the join reads them
     * @param head          {@code headInputs} to the graph outputs
     * @param headInputs    the branch outputs first, then the stem tensors and graph inputs the head reads
     * @param branchWork    per branch, the work estimate the region was chosen by (see the class comment)
     */
    public record Parts(String fork, String join, Optional<ModelProto> stem, List<String> stemOutputs,
            List<ModelProto> branches, List<String> branchOutputs, ModelProto head, List<String> headInputs,
            List<Long> branchWork) implements Outcome {

        public Parts {
            stemOutputs = List.copyOf(stemOutputs);
            branches = List.copyOf(branches);
            branchOutputs = List.copyOf(branchOutputs);
            headInputs = List.copyOf(headInputs);
            branchWork = List.copyOf(branchWork);
        }
    }

    /** No region qualifies; {@code reason} says why, for the logs (each rejected join and why, the first few). */
    public record NoRegion(String reason) implements Outcome {}

    /** How many rejected joins a {@link NoRegion} reason names. */
    private static final int REJECTIONS_NAMED = 5;

    /** A region that qualifies, by node indices into the index, before it is cut. */
    private record Region(int join, String fork, List<String> branchOutputs, List<Set<Integer>> branches,
            Set<Integer> stem, Set<Integer> head, List<Long> work) {

        /** The work running the branches at once takes off the critical path. */
        long parallelWork() {
            return work.stream().mapToLong(Long::longValue).sum()
                    - work.stream().mapToLong(Long::longValue).max().orElse(0);
        }
    }

    private static final Comparator<Region> MOST_PARALLEL = Comparator.comparingLong(Region::parallelWork)
            .thenComparingInt(region -> region.branches().size())
            .thenComparing(Comparator.comparingInt(Region::join).reversed());

    /** The operators whose channels are their output's last axis, not axis 1: the matrix products. */
    private static final Set<String> CHANNELS_LAST = Set.of("MatMul", "MatMulInteger", "QLinearMatMul");

    private final ModelProto model;
    private final GraphIndex index;
    private final Map<String, Long> weights = new HashMap<>();
    /** See {@link #graphTypes()}: null until a region is first weighed. */
    private Map<String, ValueInfoProto> graphTypes;
    private final List<String> rejections = new ArrayList<>();

    private ForkJoinSplit(ModelProto model, GraphIndex index) {
        this.model = model;
        this.index = index;
        for (TensorProto tensor : model.getGraph().getInitializerList()) {
            weights.put(tensor.getName(), elements(tensor));
        }
        // Some exporters (tf2onnx, older PyTorch) put weights in Constant nodes rather than initializers.
        for (NodeProto node : model.getGraph().getNodeList()) {
            if (node.getOpType().equals("Constant")) {
                node.getAttributeList().stream().filter(attribute -> attribute.getName().equals("value")).findFirst()
                        .ifPresent(value -> weights.put(node.getOutput(0), elements(value.getT())));
            }
        }
    }

    private static long elements(TensorProto tensor) {
        return tensor.getDimsList().stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }

    /** Finds the most parallel fork–join region of {@code model}'s graph and cuts the graph there. */
    public static Outcome split(ModelProto model) {
        String graphName = "graph " + model.getGraph().getName();
        GraphIndex index;
        try {
            index = new GraphIndex(model.getGraph());
        } catch (IllegalArgumentException e) {
            return new NoRegion(graphName + " cannot be cut: " + e.getMessage());
        }
        ForkJoinSplit split = new ForkJoinSplit(model, index);
        Optional<Region> best = IntStream.range(0, index.nodes().size()).mapToObj(split::region)
                .flatMap(Optional::stream).max(MOST_PARALLEL);
        if (best.isPresent()) {
            return split.cut(best.get(), graphName);
        }
        if (split.rejections.isEmpty()) {
            return new NoRegion(graphName + " has no node that reads two or more tensors computed from its inputs:"
                    + " a chain, with no branches to run apart");
        }
        String named = String.join("; ", split.rejections.subList(0,
                Math.min(REJECTIONS_NAMED, split.rejections.size())));
        int more = split.rejections.size() - REJECTIONS_NAMED;
        return new NoRegion(graphName + " has no fork–join region to split: " + named
                + (more > 0 ? "; and " + more + " more joins" : ""));
    }

    /** The region node {@code join} closes, or empty (with the reason recorded) if it does not qualify. */
    private Optional<Region> region(int join) {
        List<String> joined = index.reads(join).stream().filter(tensor -> !index.isConstant(tensor)).toList();
        if (joined.size() < 2) {
            return Optional.empty();
        }
        Optional<String> commonFork = latestCommonSource(joined);
        if (commonFork.isEmpty()) {
            return rejected(join, "its inputs " + joined + " are computed from no common tensor");
        }
        String fork = commonFork.get();
        List<String> branchOutputs = joined.stream().filter(tensor -> !tensor.equals(fork)).toList();
        if (branchOutputs.size() < 2) {
            return rejected(join, "one path only leads to it from " + fork + " (a chain or a residual connection)");
        }
        Set<String> fromFork = computedFrom(fork);
        Map<Integer, Integer> branchOf = new HashMap<>();
        List<Set<Integer>> branches = new ArrayList<>();
        for (int k = 0; k < branchOutputs.size(); k++) {
            int current = k;
            Set<Integer> branch = new TreeSet<>();
            Deque<String> toVisit = new ArrayDeque<>(List.of(branchOutputs.get(k)));
            Set<String> visited = new HashSet<>();
            while (!toVisit.isEmpty()) {
                String tensor = toVisit.pop();
                if (tensor.equals(fork) || index.isConstant(tensor) || !visited.add(tensor)) {
                    continue;
                }
                if (!fromFork.contains(tensor)) {
                    return rejected(join, "the path to " + branchOutputs.get(k) + " also reads " + tensor
                            + ", which is not computed from " + fork);
                }
                int node = index.producer(tensor);
                int owner = branchOf.computeIfAbsent(node, n -> current);
                if (owner != current) {
                    return rejected(join, "the paths to " + branchOutputs.get(owner) + " and " + branchOutputs.get(k)
                            + " cross: both need " + index.describe(node));
                }
                branch.add(node);
                toVisit.addAll(index.reads(node));
            }
            branches.add(branch);
        }
        for (int k = 0; k < branches.size(); k++) {
            for (int node : branches.get(k)) {
                for (String output : index.nodes().get(node).getOutputList()) {
                    if (output.equals(branchOutputs.get(k))) {
                        continue;
                    }
                    for (int reader : index.readers(output)) {
                        if (!Objects.equals(branchOf.get(reader), k)) {
                            return rejected(join, "the path to " + branchOutputs.get(k) + " hands " + output
                                    + " to " + index.describe(reader) + ", outside the path");
                        }
                    }
                }
            }
        }
        Set<Integer> stem = new TreeSet<>();
        computedBy(fork).forEach(tensor -> {
            if (index.producer(tensor) >= 0) {
                stem.add(index.producer(tensor));
            }
        });
        Set<Integer> head = new TreeSet<>();
        for (int node = 0; node < index.nodes().size(); node++) {
            if (!index.isConstantNode(node) && !stem.contains(node) && !branchOf.containsKey(node)) {
                head.add(node);
            }
        }
        for (String output : index.outputs()) {
            if (!head.contains(index.producer(output))) {
                return rejected(join, "graph output " + output + " is not computed after the join, in the head");
            }
        }
        List<Long> work = branches.stream().map(this::work).toList();
        return Optional.of(new Region(join, fork, branchOutputs, branches, stem, head, work));
    }

    private Optional<Region> rejected(int join, String reason) {
        rejections.add(index.describe(join) + ": " + reason);
        return Optional.empty();
    }

    /**
     * Of the non-constant tensors that each of {@code tensors} is computed from (itself included), the latest in
     * topological order; if it is not computed from all the others, a path reaches one of them past it, and the
     * branches reject it.
     */
    private Optional<String> latestCommonSource(List<String> tensors) {
        Set<String> common = computedBy(tensors.getFirst());
        tensors.subList(1, tensors.size()).forEach(tensor -> common.retainAll(computedBy(tensor)));
        return common.stream().max(Comparator.comparingInt(index::producer));
    }

    /** The non-constant tensors {@code tensor} is computed from, itself included, graph inputs included. */
    private Set<String> computedBy(String tensor) {
        Set<String> sources = new LinkedHashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(List.of(tensor));
        while (!toVisit.isEmpty()) {
            String next = toVisit.pop();
            if (!index.isConstant(next) && sources.add(next) && index.producer(next) >= 0) {
                toVisit.addAll(index.reads(index.producer(next)));
            }
        }
        return sources;
    }

    /** The tensors computed from {@code tensor}, itself included. */
    private Set<String> computedFrom(String tensor) {
        Set<String> results = new HashSet<>();
        Deque<String> toVisit = new ArrayDeque<>(List.of(tensor));
        while (!toVisit.isEmpty()) {
            String next = toVisit.pop();
            if (results.add(next)) {
                index.readers(next).forEach(reader -> toVisit.addAll(index.nodes().get(reader).getOutputList()));
            }
        }
        return results;
    }

    /** One per node, plus the initializer elements each reads times the positions it applies them to. */
    private long work(Collection<Integer> nodes) {
        return nodes.stream().mapToLong(node -> {
            long nodeWeights = index.reads(node).stream().mapToLong(tensor -> weights.getOrDefault(tensor, 0L)).sum();
            return 1 + Math.multiplyExact(nodeWeights, positions(node));
        }).sum();
    }

    /**
     * The elements of node {@code node}'s first output per channel, the batch (axis 0) taken as 1; 1 where the shape
     * is not known beyond the batch (no type, no rank, or an axis known only by name), so that the node counts its
     * weights alone, as if applied once. Weights that are not applied per position (a Resize's scales, a Reshape's
     * shape) count so too: a few elements beside a convolution's.
     */
    private long positions(int node) {
        NodeProto operator = index.nodes().get(node);
        ValueInfoProto output = operator.getOutputCount() == 0 ? null : graphTypes().get(operator.getOutput(0));
        if (output == null || !output.getType().getTensorType().hasShape()) {
            return 1;
        }
        List<TensorShapeProto.Dimension> dims = output.getType().getTensorType().getShape().getDimList();
        int channels = GraphIndex.isDefaultDomain(operator) && CHANNELS_LAST.contains(operator.getOpType())
                ? dims.size() - 1 : 1;
        long positions = 1;
        for (int axis = 1; axis < dims.size(); axis++) {
            if (axis == channels) {
                continue;
            }
            if (!dims.get(axis).hasDimValue()) {
                return 1;
            }
            positions = Math.multiplyExact(positions, dims.get(axis).getDimValue());
        }
        return positions;
    }

    /**
     * The type of every graph input and every tensor a non-constant node computes, stated or inferred by ONNX
     * Runtime in one session, on first use; empty where ONNX Runtime cannot tell them all (it cannot open the graph,
     * or one is not a tensor): then every node counts its weights alone and the cut asks for its own tensors' types.
     */
    private Map<String, ValueInfoProto> graphTypes() {
        if (graphTypes == null) {
            List<String> tensors = Stream.concat(index.inputs().stream(), index.nodes().stream()
                    .flatMap(node -> node.getOutputList().stream()))
                    .filter(tensor -> !tensor.isEmpty() && !index.isConstant(tensor)).distinct().toList();
            try {
                graphTypes = TensorTypes.of(model, tensors);
            } catch (OrtException | IllegalArgumentException e) {
                graphTypes = Map.of();
            }
        }
        return graphTypes;
    }

    /** The parts of {@code region}, with their inputs and outputs typed. */
    private Outcome cut(Region region, String graphName) {
        Set<String> headComputed = new HashSet<>();
        region.head().forEach(node -> headComputed.addAll(index.nodes().get(node).getOutputList()));
        Set<String> headInputs = new LinkedHashSet<>(region.branchOutputs());
        region.head().forEach(node -> index.reads(node).stream()
                .filter(tensor -> !index.isConstant(tensor) && !headComputed.contains(tensor))
                .forEach(headInputs::add));
        List<String> stemOutputs = new ArrayList<>();
        if (!region.stem().isEmpty()) {
            stemOutputs.add(region.fork());
            headInputs.stream().filter(tensor -> !tensor.equals(region.fork())
                    && region.stem().contains(index.producer(tensor))).forEach(stemOutputs::add);
        }
        List<String> stemInputs = index.inputs().stream().filter(input -> index.readers(input).stream()
                .anyMatch(region.stem()::contains)).toList();
        List<String> graphOutputs = List.copyOf(index.outputs());
        List<String> cutTensors = Stream.of(stemInputs, List.of(region.fork()), stemOutputs, List.copyOf(headInputs),
                graphOutputs).flatMap(List::stream).distinct().toList();
        Map<String, ValueInfoProto> types;
        try {
            types = graphTypes().keySet().containsAll(cutTensors) ? graphTypes() : TensorTypes.of(model, cutTensors);
        } catch (OrtException | IllegalArgumentException e) {
            return new NoRegion(graphName + " could be split at " + index.describe(region.join()) + ", but the types"
                    + " of the tensors at the cut are unknown: " + e.getMessage());
        }
        Optional<ModelProto> stem = region.stem().isEmpty() ? Optional.empty()
                : Optional.of(SubGraph.of(model, index, "stem", region.stem(), stemInputs, stemOutputs, types));
        List<ModelProto> branches = new ArrayList<>();
        for (int k = 0; k < region.branches().size(); k++) {
            branches.add(SubGraph.of(model, index, "branch" + k, region.branches().get(k), List.of(region.fork()),
                    List.of(region.branchOutputs().get(k)), types));
        }
        ModelProto head = SubGraph.of(model, index, "head", region.head(), List.copyOf(headInputs), graphOutputs,
                types);
        return new Parts(region.fork(), index.describe(region.join()), stem, stemOutputs, branches,
                region.branchOutputs(), head, List.copyOf(headInputs), region.work());
    }
}
