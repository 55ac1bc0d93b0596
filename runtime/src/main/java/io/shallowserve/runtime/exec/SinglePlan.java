package io.shallowserve.runtime.exec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code single} plan: one session runs model.onnx on the calling thread and its intra-op threads. */
public final class SinglePlan implements ExecutionPlan {

    public static final String NAME = "single";

    private final SessionFactory sessions;
    private final ModelVersion model;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;

    /** Opens model.onnx with {@code intraOpThreads} threads per operator. */
    public SinglePlan(SessionFactory sessions, ModelVersion model, int intraOpThreads) throws ModelVersionException {
        this.sessions = sessions;
        this.model = model;
        this.inputName = model.manifest().input().name();
        this.outputName = model.manifest().output().name();
        List<OrtSession> opened = new ArrayList<>(1);
        try {
            this.session = OrtSessions.open(sessions, model, ModelManifest.MODEL_FILE, intraOpThreads,
                    List.of(inputName), List.of(outputName), opened);
        } catch (ModelVersionException e) {
            OrtSessions.closeAll(opened);
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PlanResult run(float[] pixels, int batch) throws OrtException {
        try (OnnxTensor input = OnnxTensor.createTensor(sessions.environment(), FloatBuffer.wrap(pixels),
                        model.manifest().input().shapeOf(batch));
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            float[] logits = new float[batch * model.classes()];
            ((OnnxTensor) result.get(outputName).orElseThrow()).getFloatBuffer().get(logits);
            return new PlanResult(logits, new long[0]);
        }
    }

    @Override
    public void close() {
        OrtSessions.closeAll(List.of(session));
    }
}
