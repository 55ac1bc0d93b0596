package io.shallowserve.server.inference;

/**
 * Cumulative counts and times of one model version, as Triton's ModelStatistics reports them.
 *
 * @param lastInferenceMillis epoch milliseconds of the last inference, 0 if none
 * @param inferenceCount      images inferred (a batch of 8 counts 8)
 * @param executionCount      model executions (a batch of 8 counts 1)
 * @param success             successful requests, end to end inside the engine
 * @param fail                failed requests
 * @param queue               time waiting for an execution slot
 * @param computeInput        time preparing input tensors
 * @param computeInfer        time running the plan
 * @param computeOutput       time extracting outputs
 */
public record ModelStatistics(
        String name,
        String version,
        long lastInferenceMillis,
        long inferenceCount,
        long executionCount,
        Duration success,
        Duration fail,
        Duration queue,
        Duration computeInput,
        Duration computeInfer,
        Duration computeOutput) {

    /** How many times something happened and how long it took in all. */
    public record Duration(long count, long nanos) {}
}
