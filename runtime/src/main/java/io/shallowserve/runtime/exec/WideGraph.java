package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.graph.ParallelConvFusion;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.RandomTensors;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorAgreement;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code wide} plan of a version runs, made once per load: model.onnx with its parallel convolutions fused
 * ({@link ParallelConvFusion}) and checked against model.onnx on random inputs at batch 1 and 8
 * ({@link TensorAgreement}), or why the version has no such graph. Every wide instance of a load, at every intra-op
 * thread count, opens the one graph made here.
 */
sealed interface WideGraph {

    /** A fused graph that computes what model.onnx computes. */
    record Checked(ModelProto graph) implements WideGraph {}

    /** No fused graph to run, and why: the message a wide plan asked for is refused with. */
    record Refused(String reason) implements WideGraph {}

    /** The batch sizes the fused graph is checked at. */
    List<Integer> CHECKED_BATCHES = List.of(1, 8);

    /**
     * Fuses model.onnx of {@code model} and checks the fused graph, opening it and model.onnx on {@code sessions}'
     * device with one intra-op thread each. Never fails: a graph that cannot be read, has nothing to fuse, or whose
     * fused form does not open or does not compute what it computes has no wide graph, and the reason says so.
     */
    static WideGraph fuse(SessionFactory sessions, ServableVersion model) {
        ParallelConvFusion.Fused fused;
        try {
            fused = ParallelConvFusion.fuse(ModelGraph.read(model));
        } catch (ModelVersionException e) {
            return new Refused(e.getMessage());
        }
        if (fused.fusedLayers().isEmpty()) {
            return new Refused(model.file(ModelManifest.MODEL_FILE) + " has no parallel convolutions that read one"
                    + " tensor and are summed, so the wide plan has nothing to fuse (a deep, tat or parnet model has"
                    + " none); serve it with plan single");
        }
        Optional<String> mismatch = mismatch(sessions, model, fused.model());
        return mismatch.isPresent() ? new Refused(mismatch.get()) : new Checked(fused.model());
    }

    /** How the fused graph of {@code model} is named in errors. */
    static String description(ServableVersion model) {
        return model.file(ModelManifest.MODEL_FILE) + " with its parallel convolutions fused";
    }

    /**
     * Why {@code fused} does not open or does not compute what model.onnx computes, or empty if it does: both run on
     * the same random inputs.
     */
    private static Optional<String> mismatch(SessionFactory sessions, ServableVersion model, ModelProto fused) {
        String description = description(model);
        GraphSession wide;
        try {
            wide = GraphSession.open(sessions, model, description, fused.toByteArray(), 1);
        } catch (ModelVersionException e) {
            return Optional.of(e.getMessage());
        }
        try (SinglePlan single = new SinglePlan(sessions, model, 1)) {
            for (int batch : CHECKED_BATCHES) {
                List<Tensor> inputs = RandomTensors.of(single.inputs(), batch);
                Optional<String> problem = TensorAgreement.problem(single.run(inputs).outputs(),
                        wide.run(inputs).outputs());
                if (problem.isPresent()) {
                    return Optional.of(description + " does not compute what model.onnx computes: at batch " + batch
                            + ", " + problem.get() + "; serve it with plan single");
                }
            }
            return Optional.empty();
        } catch (ModelVersionException e) {
            return Optional.of(e.getMessage());
        } catch (OrtException e) {
            return Optional.of(description + ": a test run failed (" + e.getMessage() + "); serve it with plan single");
        } finally {
            wide.close();
        }
    }
}
