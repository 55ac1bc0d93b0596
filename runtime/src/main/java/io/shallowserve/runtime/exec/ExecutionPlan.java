package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.List;

/**
 * Runs batches of one model version. Thread-safe: concurrent callers may run batches at the same time. Closing
 * releases every ONNX Runtime session the plan opened; no run may be in progress then.
 */
public interface ExecutionPlan extends AutoCloseable {

    /** "single", "wide" or "branches": the name metrics and metadata report. */
    String name();

    /** The inputs a run takes, in the graph's order, as the graph declares them. */
    List<TensorSpec> inputs();

    /** The outputs a run returns, in the graph's order, as the graph declares them. */
    List<TensorSpec> outputs();

    /**
     * Runs one batch.
     *
     * @param inputs one tensor per input of {@link #inputs()}, in any order, each of a shape the input accepts
     */
    PlanResult run(List<Tensor> inputs) throws OrtException;

    /**
     * Runs {@code batch} images through a model whose first input takes FP32 images and whose first output is FP32,
     * the trainer's classifiers: how the research commands and tests feed pixels and read logits.
     *
     * @param pixels {@code batch} images, row-major, as the first input's shape lays them out
     * @return the first output's values, [batch x classes] for a classifier
     */
    default float[] logits(float[] pixels, int batch) throws OrtException {
        TensorSpec input = inputs().getFirst();
        return run(List.of(Tensor.ofFloats(input.name(), input.shapeOf(batch), pixels))).outputs().getFirst()
                .floats();
    }

    @Override
    void close();
}
