package io.shallowserve.trainer.latency;

import ai.onnxruntime.OrtException;

/** One way of running an exported model in ONNX Runtime. */
interface OrtPlan extends AutoCloseable {

    /** Logits [batch x classes] for {@code batch} images of [0,1] pixels, NCHW. */
    float[] run(float[] pixels, int batch) throws OrtException;

    @Override
    void close() throws OrtException;
}
