package io.shallowserve.runtime.exec;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Session helpers every plan shares: opening with a clear failure, checking tensor names, reading a session's
 * inputs and outputs, closing.
 */
final class OrtSessions {

    private static final System.Logger LOG = System.getLogger(OrtSessions.class.getName());

    private OrtSessions() {}

    /** A session's inputs and outputs, in the graph's order. */
    record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {}

    /**
     * Opens {@code graph} of {@code model}, adds it to {@code opened} (so the caller can close everything it opened
     * when a later step fails) and checks that it has the named inputs and outputs.
     */
    static OrtSession open(SessionFactory sessions, ServableVersion model, String graph, int intraOpThreads,
            List<String> inputs, List<String> outputs, Collection<OrtSession> opened) throws ModelVersionException {
        return checked(model.file(graph).toString(), () -> sessions.open(model.file(graph), intraOpThreads), inputs,
                outputs, opened, advice(model));
    }

    /**
     * As {@link #open(SessionFactory, ServableVersion, String, int, List, List, Collection)}, for a graph rewritten
     * at load time and held in memory; {@code description} names it in errors (the file it came from and how).
     */
    static OrtSession open(SessionFactory sessions, String description, byte[] graph, int intraOpThreads,
            List<String> inputs, List<String> outputs, Collection<OrtSession> opened) throws ModelVersionException {
        return checked(description, () -> sessions.open(graph, intraOpThreads), inputs, outputs, opened,
                "serve the model with plan single");
    }

    /**
     * The inputs and outputs of {@code session}, opened for {@code model}.
     *
     * @throws ModelVersionException if one is not a tensor, or of a type ONNX Runtime's Java API cannot pass
     */
    static Signature specs(ServableVersion model, OrtSession session) throws ModelVersionException {
        try {
            return specs(model, session.getInputInfo(), session.getOutputInfo());
        } catch (OrtException e) {
            throw unservable(model, e);
        }
    }

    /**
     * As {@link #specs(ServableVersion, OrtSession)}, for inputs and outputs gathered from several sessions: those of
     * a graph cut into parts.
     */
    static Signature specs(ServableVersion model, Map<String, NodeInfo> inputs, Map<String, NodeInfo> outputs)
            throws ModelVersionException {
        try {
            return new Signature(OrtTensors.specs(inputs), OrtTensors.specs(outputs));
        } catch (IllegalArgumentException e) {
            throw unservable(model, e);
        }
    }

    private static ModelVersionException unservable(ServableVersion model, Exception e) {
        return new ModelVersionException(model.id() + ": " + e.getMessage() + "; the server cannot serve this graph",
                e);
    }

    /** The inputs model.json names, for a trainer-made version: a session opened for it must have them. */
    static List<String> manifestInputs(ServableVersion model) {
        return model instanceof ModelVersion trained ? List.of(trained.manifest().input().name()) : List.of();
    }

    /** The outputs model.json names, for a trainer-made version: a session opened for it must have them. */
    static List<String> manifestOutputs(ServableVersion model) {
        return model instanceof ModelVersion trained ? List.of(trained.manifest().output().name()) : List.of();
    }

    /** What a user does when a version's graph cannot be opened or has other names than it should. */
    private static String advice(ServableVersion model) {
        return model instanceof ModelVersion ? "re-export the model with the trainer"
                : "check that model.onnx is an ONNX model ONNX Runtime opens (e.g. in Python's onnxruntime)";
    }

    /** Opens one session, the way the two {@code open} methods do. */
    private interface Opening {
        OrtSession open() throws OrtException;
    }

    private static OrtSession checked(String description, Opening opening, List<String> inputs, List<String> outputs,
            Collection<OrtSession> opened, String advice) throws ModelVersionException {
        OrtSession session;
        try {
            session = opening.open();
        } catch (OrtException e) {
            throw new ModelVersionException(description + ": ONNX Runtime cannot open it (" + e.getMessage()
                    + "); " + advice, e);
        }
        opened.add(session);
        if (!session.getInputNames().containsAll(inputs) || !session.getOutputNames().containsAll(outputs)) {
            throw new ModelVersionException(description + " has inputs " + session.getInputNames()
                    + " and outputs " + session.getOutputNames() + ", model.json needs inputs " + inputs
                    + " and outputs " + outputs + "; " + advice);
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
