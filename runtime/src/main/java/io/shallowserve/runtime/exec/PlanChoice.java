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
     * One session on model.onnx with its parallel convolutions fused into one; shallow models only (a deep model
     * falls back to single).
     */
    WIDE,
    /** Measure the candidates at load time and serve the fastest. */
    AUTO
}
