package io.shallowserve.runtime.exec;

import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;

/** The {@code single} plan: one session runs model.onnx on the calling thread and its intra-op threads. */
public final class SinglePlan extends OneSessionPlan {

    public static final String NAME = "single";

    /** Opens model.onnx with {@code intraOpThreads} threads per operator. */
    public SinglePlan(SessionFactory sessions, ServableVersion model, int intraOpThreads) throws ModelVersionException {
        super(GraphSession.open(sessions, model, intraOpThreads));
    }

    @Override
    public String name() {
        return NAME;
    }
}
