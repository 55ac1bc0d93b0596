package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.List;

/** The {@code single} plan: one session runs model.onnx on the calling thread and its intra-op threads. */
public final class SinglePlan implements ExecutionPlan {

    public static final String NAME = "single";

    private final GraphSession graph;

    /** Opens model.onnx with {@code intraOpThreads} threads per operator. */
    public SinglePlan(SessionFactory sessions, ServableVersion model, int intraOpThreads) throws ModelVersionException {
        this.graph = GraphSession.open(sessions, model, intraOpThreads);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<TensorSpec> inputs() {
        return graph.inputs();
    }

    @Override
    public List<TensorSpec> outputs() {
        return graph.outputs();
    }

    @Override
    public PlanResult run(List<Tensor> inputs) throws OrtException {
        return graph.run(inputs);
    }

    @Override
    public void close() {
        graph.close();
    }
}
