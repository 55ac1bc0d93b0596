package io.shallowserve.runtime.exec;

/** The execution plan the configuration asks for. */
public enum PlanChoice {
    /** One session runs the whole graph. */
    SINGLE,
    /** Stem, branches concurrently, head; shallow models only (a deep model falls back to single). */
    BRANCHES,
    /** Measure the candidates at load time and serve the fastest. */
    AUTO
}
