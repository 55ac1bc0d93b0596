package io.shallowserve.runtime.exec;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shallowserve.runtime.graph.ParallelConvFusion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.TensorAgreement;

/**
 * The {@code wide} plan: one session, like {@code single}, on model.onnx with its parallel convolutions fused into
 * one broad convolution per layer ({@link ParallelConvFusion}), made in memory at load time. The parallel layers of a
 * shallow model then run as one operator instead of one per branch. The fused graph is checked against model.onnx on
 * random inputs at batch 1 and 8 and refused unless their outputs agree ({@link TensorAgreement}); a load fuses and
 * checks once for all its wide instances ({@link WideGraph}). Any graph may be fused: a deep model, or one without
 * parallel convolutions, has nothing to fuse and is refused.
 */
public final class WidePlan extends OneSessionPlan {

    public static final String NAME = "wide";

    /**
     * Fuses and checks model.onnx, and opens the fused graph with {@code intraOpThreads} threads per operator.
     *
     * @throws ModelVersionException if model.onnx has no parallel convolutions to fuse (a deep model), or the fused
     *                               graph does not open or does not compute what model.onnx computes
     */
    public WidePlan(SessionFactory sessions, ServableVersion model, int intraOpThreads) throws ModelVersionException {
        this(sessions, model, WideGraph.fuse(sessions, model), intraOpThreads);
    }

    /**
     * Opens a graph fused and checked already: one fusion serves every instance and thread count of a load.
     *
     * @throws ModelVersionException with the reason if {@code graph} was refused, or if it does not open
     */
    WidePlan(SessionFactory sessions, ServableVersion model, WideGraph graph, int intraOpThreads)
            throws ModelVersionException {
        super(GraphSession.open(sessions, model, WideGraph.description(model), checked(graph).toByteArray(),
                intraOpThreads));
    }

    private static ModelProto checked(WideGraph graph) throws ModelVersionException {
        return switch (graph) {
            case WideGraph.Checked(ModelProto fused) -> fused;
            case WideGraph.Refused(String reason) -> throw new ModelVersionException(reason);
        };
    }

    @Override
    public String name() {
        return NAME;
    }
}
