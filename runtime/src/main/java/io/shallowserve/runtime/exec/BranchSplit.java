package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.graph.BranchGroups;
import io.shallowserve.runtime.graph.ForkJoinSplit;
import io.shallowserve.runtime.graph.SplitCheck;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code branches} plan of a version runs, found once per load: model.onnx cut at its most parallel
 * fork–join region ({@link ForkJoinSplit}) and checked against the whole graph on random inputs
 * ({@link SplitCheck}), or why the version has no such split. Either way {@link #description()} says what was found,
 * for the logs and the model's metadata.
 */
sealed interface BranchSplit {

    /** "fork–join region: ..." when found; otherwise why there is no split to run. */
    String description();

    /**
     * A split whose parts compute what the whole graph computes.
     *
     * @param grouped     the parts with the branches in fewer groups ({@link BranchGroups}), checked the same way;
     *                    empty where grouping does not apply
     * @param graphInputs the whole graph's inputs, in its order: the order of the plan's inputs
     */
    record Found(ForkJoinSplit.Parts parts, Optional<ForkJoinSplit.Parts> grouped, List<String> graphInputs,
            String description) implements BranchSplit {

        public Found {
            graphInputs = List.copyOf(graphInputs);
        }
    }

    /** No split to run, and why. */
    record NotFound(String description) implements BranchSplit {}

    /**
     * Cuts model.onnx of {@code model} and checks the parts, opening them as the plan would (on {@code sessions}'
     * device, one intra-op thread each). Never fails: a graph that cannot be read, cut, opened or run in parts has
     * no split, and the reason says so.
     */
    static BranchSplit find(SessionFactory sessions, ServableVersion model) {
        ModelProto graph;
        try {
            graph = ModelGraph.read(model);
        } catch (ModelVersionException e) {
            return new NotFound(e.getMessage());
        }
        return switch (ForkJoinSplit.split(graph)) {
            case ForkJoinSplit.NoRegion(String reason) -> new NotFound(reason);
            case ForkJoinSplit.Parts parts -> checked(sessions, graph, parts);
        };
    }

    /**
     * {@code parts} if they compute what {@code graph} computes, with their branches in as many groups as the cores
     * a request may use ({@link ThreadDefaults#intraOpThreadsMax()}) where that applies and checks out too.
     */
    private static BranchSplit checked(SessionFactory sessions, ModelProto graph, ForkJoinSplit.Parts parts) {
        String region = "fork–join region: " + parts.branches().size() + " branches from " + parts.fork()
                + ", joined by " + parts.join();
        Optional<String> mismatch = mismatch(sessions, graph, parts);
        if (mismatch.isPresent()) {
            return new NotFound(region + ", but " + mismatch.get());
        }
        BranchGroups.Grouping grouping = BranchGroups.group(parts, ThreadDefaults.intraOpThreadsMax());
        Optional<ForkJoinSplit.Parts> grouped = grouping.parts();
        String groups = grouping.description();
        if (grouped.isPresent()) {
            Optional<String> groupMismatch = mismatch(sessions, graph, grouped.get());
            if (groupMismatch.isPresent()) {
                grouped = Optional.empty();
                groups = groups + ", but " + groupMismatch.get();
            }
        }
        return new Found(parts, grouped, graph.getGraph().getInputList().stream().map(ValueInfoProto::getName)
                .toList(), region + "; grouped: " + groups);
    }

    /** Why {@code parts} do not compute what {@code graph} computes, or empty if they do. */
    private static Optional<String> mismatch(SessionFactory sessions, ModelProto graph, ForkJoinSplit.Parts parts) {
        try {
            return SplitCheck.mismatch(graph, parts, bytes -> sessions.open(bytes, 1))
                    .map(problem -> "its parts do not compute what the whole graph computes: " + problem);
        } catch (OrtException e) {
            return Optional.of("ONNX Runtime cannot run its parts (" + e.getMessage() + ")");
        }
    }
}
