package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OrtException;
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
     * @param graphInputs the whole graph's inputs, in its order: the order of the plan's inputs
     */
    record Found(ForkJoinSplit.Parts parts, List<String> graphInputs, String description) implements BranchSplit {

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

    /** {@code parts} if they compute what {@code graph} computes. */
    private static BranchSplit checked(SessionFactory sessions, ModelProto graph, ForkJoinSplit.Parts parts) {
        String region = "fork–join region: " + parts.branches().size() + " branches from " + parts.fork()
                + ", joined by " + parts.join();
        Optional<String> mismatch;
        try {
            mismatch = SplitCheck.mismatch(graph, parts, bytes -> sessions.open(bytes, 1));
        } catch (OrtException e) {
            return new NotFound(region + ", but ONNX Runtime cannot run its parts (" + e.getMessage() + ")");
        }
        if (mismatch.isPresent()) {
            return new NotFound(region + ", but its parts do not compute what the whole graph computes: "
                    + mismatch.get());
        }
        return new Found(parts, graph.getGraph().getInputList().stream().map(ValueInfoProto::getName).toList(),
                region);
    }
}
