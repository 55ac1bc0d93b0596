package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.util.ArrayList;
import java.util.List;

/** The {@code single} plan: one session runs model.onnx on the calling thread and its intra-op threads. */
public final class SinglePlan implements ExecutionPlan {

    public static final String NAME = "single";

    private final GraphSession graph;

    /** Opens model.onnx with {@code intraOpThreads} threads per operator. */
    public SinglePlan(SessionFactory sessions, ModelVersion model, int intraOpThreads) throws ModelVersionException {
        List<OrtSession> opened = new ArrayList<>(1);
        try {
            this.graph = new GraphSession(sessions, model, OrtSessions.open(sessions, model,
                    ModelManifest.MODEL_FILE, intraOpThreads, List.of(model.manifest().input().name()),
                    List.of(model.manifest().output().name()), opened));
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
        return graph.run(pixels, batch);
    }

    @Override
    public void close() {
        graph.close();
    }
}
