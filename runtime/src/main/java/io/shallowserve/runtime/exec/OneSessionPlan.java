package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.List;

/**
 * A plan that runs one whole graph in one session ({@link GraphSession}): {@code single} on model.onnx, {@code wide}
 * on its fused rewrite. They differ only in the graph they open.
 */
abstract sealed class OneSessionPlan implements ExecutionPlan permits SinglePlan, WidePlan {

    private final GraphSession graph;

    OneSessionPlan(GraphSession graph) {
        this.graph = graph;
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
