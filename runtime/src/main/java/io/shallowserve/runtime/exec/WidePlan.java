package io.shallowserve.runtime.exec;

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
 * The {@code wide} plan: one session, like {@code single}, on model.onnx with its parallel convolutions fused into
 * one broad convolution per layer ({@link ParallelConvFusion}), made in memory when the plan opens. The parallel
 * layers of a shallow model then run as one operator instead of one per branch. Opening checks the fused graph
 * against model.onnx on random inputs at batch 1 and 8 and refuses it unless their outputs agree
 * ({@link TensorAgreement}). Any graph may be fused: a deep model, or one without parallel convolutions,
 * has nothing to fuse and is refused.
 */
public final class WidePlan extends OneSessionPlan {

    public static final String NAME = "wide";

    private static final int[] CHECKED_BATCHES = {1, 8};

    /**
     * Fuses and opens model.onnx with {@code intraOpThreads} threads per operator.
     *
     * @throws ModelVersionException if model.onnx has no parallel convolutions to fuse (a deep model), or the fused
     *                               graph does not open or does not compute what model.onnx computes
     */
    public WidePlan(SessionFactory sessions, ServableVersion model, int intraOpThreads) throws ModelVersionException {
        super(GraphSession.open(sessions, model, description(model), fusedGraph(model), intraOpThreads));
        try {
            checkAgainstSingle(sessions, model, description(model));
        } catch (ModelVersionException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private static String description(ServableVersion model) {
        return model.file(ModelManifest.MODEL_FILE) + " with its parallel convolutions fused";
    }

    @Override
    public String name() {
        return NAME;
    }

    /** model.onnx with its parallel convolutions fused, as bytes for ONNX Runtime. */
    private static byte[] fusedGraph(ServableVersion model) throws ModelVersionException {
        ParallelConvFusion.Fused fused = ParallelConvFusion.fuse(ModelGraph.read(model));
        if (fused.fusedLayers().isEmpty()) {
            throw new ModelVersionException(model.file(ModelManifest.MODEL_FILE) + " has no parallel convolutions"
                    + " that read one tensor and are summed, so the wide plan has nothing to fuse (a deep model has"
                    + " none); serve it with plan single");
        }
        return fused.model().toByteArray();
    }

    /** Runs model.onnx as the single plan and this plan on the same random inputs and compares their outputs. */
    private void checkAgainstSingle(SessionFactory sessions, ServableVersion model, String description)
            throws ModelVersionException {
        try (SinglePlan single = new SinglePlan(sessions, model, 1)) {
            for (int batch : CHECKED_BATCHES) {
                List<Tensor> inputs = RandomTensors.of(single.inputs(), batch);
                Optional<String> problem = TensorAgreement.problem(single.run(inputs).outputs(),
                        run(inputs).outputs());
                if (problem.isPresent()) {
                    throw new ModelVersionException(description + " does not compute what model.onnx computes: at"
                            + " batch " + batch + ", " + problem.get() + "; serve it with plan single");
                }
            }
        } catch (OrtException e) {
            throw new ModelVersionException(description + ": a test run failed (" + e.getMessage()
                    + "); serve it with plan single", e);
        }
    }
}
