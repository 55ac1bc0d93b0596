package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;

/** The {@code single} plan: one session runs model.onnx on the calling thread and its intra-op threads. */
public final class SinglePlan implements ExecutionPlan {

    public static final String NAME = "single";

    private final GraphSession graph;

    /** Opens model.onnx with {@code intraOpThreads} threads per operator. */
    public SinglePlan(SessionFactory sessions, ModelVersion model, int intraOpThreads) throws ModelVersionException {
        this.graph = GraphSession.open(sessions, model, intraOpThreads);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PlanResult run(float[] pixels, int batch) throws OrtException {
        return graph.run(pixels, batch);
    }

    @Override
    public void close() {
        graph.close();
    }
}
