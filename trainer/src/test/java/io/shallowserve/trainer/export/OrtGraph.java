package io.shallowserve.trainer.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** One exported graph loaded into ONNX Runtime (the runtime the server uses), run on float tensors. */
public final class OrtGraph implements AutoCloseable {

    static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

    private final OrtSession session;

    public OrtGraph(Path file) throws OrtException {
        this.session = ENVIRONMENT.createSession(file.toString(), new OrtSession.SessionOptions());
    }

    public OrtSession session() {
        return session;
    }

    /** Runs the graph with the named inputs and returns its only output, flattened row-major. */
    public float[] run(Map<String, FloatTensor> inputs) throws OrtException {
        Map<String, OnnxTensor> tensors = new HashMap<>();
        try {
            for (Map.Entry<String, FloatTensor> input : inputs.entrySet()) {
                tensors.put(input.getKey(), OnnxTensor.createTensor(ENVIRONMENT,
                        FloatBuffer.wrap(input.getValue().values()), input.getValue().shape()));
            }
            try (OrtSession.Result result = session.run(tensors)) {
                FloatBuffer output = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] values = new float[output.remaining()];
                output.get(values);
                return values;
            }
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }

    /** A float tensor as a shape and its row-major values. */
    public record FloatTensor(long[] shape, float[] values) {
    }
}
