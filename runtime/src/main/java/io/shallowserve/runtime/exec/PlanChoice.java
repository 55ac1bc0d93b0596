package io.shallowserve.runtime.exec;

/** The execution plan the configuration asks for. */
public enum PlanChoice {
    /** One session runs the whole graph. */
    SINGLE,
    /**
     * Stem, branches concurrently, head; graphs with a fork–join region whose parts compute what the graph computes
     * (any other falls back to single).
     */
    BRANCHES,
    /**
     * As {@link #BRANCHES}, with the branches in as many groups as the cores a request may use, each group one
     * session of fused branches handing the head a partial sum; graphs whose branches a Sum joins (any other falls
     * back to single).
     */
    GROUPED,
    /**
     * One session on model.onnx with its parallel convolutions fused into one; shallow models only (a deep model
     * falls back to single).
     */
    WIDE,
    /** Measure the candidates at load time and serve the fastest ({@link AutoChoice}). */
    AUTO;

    /**
     * The model configuration parameter (config.pbtxt's {@code parameters}) that picks a model's plan, named as the
     * server's setting {@code shallowserve.plan} is.
     */
    public static final String CONFIG_PARAMETER = "shallowserve.plan";
}
