package io.shallowserve.server.inference;

import java.util.List;
import java.util.Map;

/**
 * Cumulative counts and times of one model version, as Triton's ModelStatistics reports them, with the failures by
 * status and the requests pending, which Triton's metrics report besides.
 *
 * @param lastInferenceMillis epoch milliseconds of the last inference, 0 if none
 * @param inferenceCount      images inferred (a batch of 8 counts 8)
 * @param executionCount      model executions (a batch of 8 counts 1; dynamic batching merges requests into one)
 * @param success             successful requests, end to end inside the engine
 * @param fail                failed requests Triton counts (not those refused for not fitting the model, see
 *                            {@link InferenceException.Status#tritonFailureReason()})
 * @param queue               time waiting for an execution instance, per request
 * @param computeInput        time preparing input tensors, per request
 * @param computeInfer        time running the plan, per request (each request of a batch is charged the batch's)
 * @param computeOutput       time extracting outputs, per request
 * @param batches             per batch size (images) executed, the executions and their times
 * @param failures            failed requests by status (every status, 0 where none failed so; including those
 *                            {@code fail} leaves out)
 * @param pending             requests waiting for a batch now
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
        Duration computeOutput,
        List<Batch> batches,
        Map<InferenceException.Status, Long> failures,
        int pending) {

    /** How many times something happened and how long it took in all. */
    public record Duration(long count, long nanos) {}

    /**
     * The executions of one batch size, as Triton's batch_stats: merging the requests' inputs, running the plan,
     * splitting the output back, each counted once per execution.
     */
    public record Batch(int batchSize, Duration computeInput, Duration computeInfer, Duration computeOutput) {}
}
