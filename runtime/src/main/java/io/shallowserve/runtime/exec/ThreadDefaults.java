package io.shallowserve.runtime.exec;

/**
 * The thread counts plans get unless configured otherwise, from the cores of this machine: the server's defaults, and
 * what every in-process measurement uses so that it measures what the server runs.
 */
public final class ThreadDefaults {

    /** The most intra-op threads a session gets by default: past it, these small operators gain nothing. */
    private static final int MAX_INTRA_OP_THREADS = 4;

    private ThreadDefaults() {}

    /**
     * ONNX Runtime threads per operator of a single session and of the stem and head sessions: a quarter of the
     * cores, 1 to 4, so that several instances and requests share the machine instead of each taking all of it.
     */
    public static int intraOpThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors() / 4, 1, MAX_INTRA_OP_THREADS);
    }

    /**
     * The most intra-op threads worth giving one session on this machine: the cores, at most 4. Benchmarks time deep
     * at every count from 1 to this and compare with its best.
     */
    public static int intraOpThreadsMax() {
        return Math.min(Runtime.getRuntime().availableProcessors(), MAX_INTRA_OP_THREADS);
    }

    /** Platform threads the branches of the branches plan run on: one per core. */
    public static int branchThreads() {
        return Runtime.getRuntime().availableProcessors();
    }
}
