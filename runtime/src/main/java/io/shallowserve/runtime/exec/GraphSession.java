package io.shallowserve.runtime.exec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelVersion;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

/**
 * One session that runs a whole model graph, pixels in and logits out: how the {@code single} plan runs model.onnx
 * and the {@code wide} plan its fused graph.
 */
final class GraphSession {

    private final SessionFactory sessions;
    private final ModelVersion model;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;

    /** @param session opened with the model's input and output names checked ({@link OrtSessions}) */
    GraphSession(SessionFactory sessions, ModelVersion model, OrtSession session) {
        this.sessions = sessions;
        this.model = model;
        this.session = session;
        this.inputName = model.manifest().input().name();
        this.outputName = model.manifest().output().name();
    }

    PlanResult run(float[] pixels, int batch) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(pixels),
                        model.manifest().input().shapeOf(batch));
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            float[] logits = new float[batch * model.classes()];
            ((OnnxTensor) result.get(outputName).orElseThrow()).getFloatBuffer().get(logits);
            return new PlanResult(logits, new long[0]);
        }
    }

    void close() {
        OrtSessions.closeAll(List.of(session));
    }
}
