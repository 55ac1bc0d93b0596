package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import java.util.Collection;
import java.util.List;

/** Session helpers both plans share: opening with a clear failure, checking tensor names, closing. */
final class OrtSessions {

    private static final System.Logger LOG = System.getLogger(OrtSessions.class.getName());

    private OrtSessions() {}

    /**
     * Opens {@code graph} of {@code model}, adds it to {@code opened} (so the caller can close everything it opened
     * when a later step fails) and checks that it has the named inputs and outputs.
     */
    static OrtSession open(SessionFactory sessions, ModelVersion model, String graph, int intraOpThreads,
            List<String> inputs, List<String> outputs, Collection<OrtSession> opened) throws ModelVersionException {
        OrtSession session;
        try {
            session = sessions.open(model.file(graph), intraOpThreads);
        } catch (OrtException e) {
            throw new ModelVersionException(model.file(graph) + ": ONNX Runtime cannot open it (" + e.getMessage()
                    + "); re-export the model with the trainer", e);
        }
        opened.add(session);
        if (!session.getInputNames().containsAll(inputs) || !session.getOutputNames().containsAll(outputs)) {
            throw new ModelVersionException(model.file(graph) + " has inputs " + session.getInputNames()
                    + " and outputs " + session.getOutputNames() + ", model.json needs inputs " + inputs
                    + " and outputs " + outputs + "; re-export the model with the trainer");
        }
        return session;
    }

    static void closeAll(Collection<OrtSession> sessions) {
        for (OrtSession session : sessions) {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.WARNING, "closing an ONNX Runtime session failed", e);
            }
        }
    }
}
