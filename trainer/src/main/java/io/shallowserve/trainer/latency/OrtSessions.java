package io.shallowserve.trainer.latency;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/** Sessions opened as the server opens them on the CPU. */
final class OrtSessions {

    static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    private OrtSessions() {
    }

    /** {@code intraOpThreads} threads inside one operator, one inter-op thread, every graph optimisation. */
    static OrtSession open(Path graph, int intraOpThreads) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return ENVIRONMENT.createSession(graph.toString(), options);
        }
    }

    static OnnxTensor tensor(float[] values, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(ENVIRONMENT, FloatBuffer.wrap(values), shape);
    }

    /** The named output of a result, copied out. */
    static float[] floats(OrtSession.Result result, String name) {
        FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
