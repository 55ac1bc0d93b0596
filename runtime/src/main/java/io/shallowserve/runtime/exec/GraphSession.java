package io.shallowserve.runtime.exec;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One session that runs a whole model graph, every input in and every output out: how the {@code single} plan runs
 * model.onnx and the {@code wide} plan its fused graph. Its inputs and outputs are those the graph declares; for a
 * trainer-made version the graph must have the ones model.json names.
 */
final class GraphSession {

    private final SessionFactory sessions;
    private final OrtSession session;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    /** model.onnx of {@code model}. */
    static GraphSession open(SessionFactory sessions, ServableVersion model, int intraOpThreads)
            throws ModelVersionException {
        return opened(sessions, model, (inputs, outputs, opened) -> OrtSessions.open(sessions, model,
                ModelManifest.MODEL_FILE, intraOpThreads, inputs, outputs, opened));
    }

    /** A graph of {@code model} rewritten in memory; {@code description} names it in errors. */
    static GraphSession open(SessionFactory sessions, ServableVersion model, String description, byte[] graph,
            int intraOpThreads) throws ModelVersionException {
        return opened(sessions, model, (inputs, outputs, opened) -> OrtSessions.open(sessions, description, graph,
                intraOpThreads, inputs, outputs, opened));
    }

    /** Opens one session the way {@link OrtSessions} does. */
    private interface Opening {
        OrtSession open(List<String> inputs, List<String> outputs, Collection<OrtSession> opened)
                throws ModelVersionException;
    }

    /**
     * The session {@code opening} opens, closed again if its names do not match model.json's or a tensor is of a
     * kind the server cannot pass.
     */
    private static GraphSession opened(SessionFactory sessions, ServableVersion model, Opening opening)
            throws ModelVersionException {
        List<OrtSession> opened = new ArrayList<>(1);
        try {
            OrtSession session = opening.open(OrtSessions.manifestInputs(model), OrtSessions.manifestOutputs(model),
                    opened);
            return new GraphSession(sessions, session, OrtSessions.specs(model, session));
        } catch (ModelVersionException | RuntimeException e) {
            OrtSessions.closeAll(opened);
            throw e;
        }
    }

    private GraphSession(SessionFactory sessions, OrtSession session, OrtSessions.Signature signature) {
        this.sessions = sessions;
        this.session = session;
        this.inputs = signature.inputs();
        this.outputs = signature.outputs();
    }

    List<TensorSpec> inputs() {
        return inputs;
    }

    List<TensorSpec> outputs() {
        return outputs;
    }

    PlanResult run(List<Tensor> given) throws OrtException {
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Tensor tensor : given) {
                feed.put(tensor.name(), OrtTensors.toOrt(sessions.environment(), tensor));
            }
            try (OrtSession.Result result = session.run(feed)) {
                List<Tensor> values = new ArrayList<>(outputs.size());
                for (TensorSpec output : outputs) {
                    values.add(OrtTensors.fromOrt(output.name(), output.datatype(),
                            (OnnxTensor) result.get(output.name()).orElseThrow()));
                }
                return new PlanResult(values, new long[0]);
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    void close() {
        OrtSessions.closeAll(List.of(session));
    }
}
