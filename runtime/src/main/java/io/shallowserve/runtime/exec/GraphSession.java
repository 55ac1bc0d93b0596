package io.shallowserve.runtime.exec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collection;
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

    /** model.onnx of {@code model}, with its input and output names checked. */
    static GraphSession open(SessionFactory sessions, ModelVersion model, int intraOpThreads)
            throws ModelVersionException {
        return opened(sessions, model, (inputs, outputs, opened) -> OrtSessions.open(sessions, model,
                ModelManifest.MODEL_FILE, intraOpThreads, inputs, outputs, opened));
    }

    /**
     * A graph of {@code model} rewritten in memory, with its input and output names checked; {@code description}
     * names it in errors.
     */
    static GraphSession open(SessionFactory sessions, ModelVersion model, String description, byte[] graph,
            int intraOpThreads) throws ModelVersionException {
        return opened(sessions, model, (inputs, outputs, opened) -> OrtSessions.open(sessions, description, graph,
                intraOpThreads, inputs, outputs, opened));
    }

    /** Opens one session the way {@link OrtSessions} does. */
    private interface Opening {
        OrtSession open(List<String> inputs, List<String> outputs, Collection<OrtSession> opened)
                throws ModelVersionException;
    }

    /** The session {@code opening} opens, closed again if its names do not match the model's. */
    private static GraphSession opened(SessionFactory sessions, ModelVersion model, Opening opening)
            throws ModelVersionException {
        List<OrtSession> opened = new ArrayList<>(1);
        try {
            return new GraphSession(sessions, model, opening.open(List.of(model.manifest().input().name()),
                    List.of(model.manifest().output().name()), opened));
        } catch (ModelVersionException | RuntimeException e) {
            OrtSessions.closeAll(opened);
            throw e;
        }
    }

    private GraphSession(SessionFactory sessions, ModelVersion model, OrtSession session) {
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
