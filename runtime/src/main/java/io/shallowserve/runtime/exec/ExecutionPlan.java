package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;

/**
 * Runs batches of one model version. Thread-safe: concurrent callers may run batches at the same time. Closing
 * releases every ONNX Runtime session the plan opened; no run may be in progress then.
 */
public interface ExecutionPlan extends AutoCloseable {

    /** "single", "wide" or "branches": the name metrics and metadata report. */
    String name();

    /**
     * Runs one batch.
     *
     * @param pixels NCHW float32 pixels scaled to [0, 1], {@code batch} images
     * @param batch  number of images, at least 1
     */
    PlanResult run(float[] pixels, int batch) throws OrtException;

    @Override
    void close();
}
