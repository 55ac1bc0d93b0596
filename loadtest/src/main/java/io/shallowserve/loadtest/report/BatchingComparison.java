package io.shallowserve.loadtest.report;

import java.util.List;

/**
 * What dynamic batching changes: every served model measured on two server processes of its plan, one with batching
 * off and one with it on, at one request in flight and in the capacity search.
 *
 * @param batching          the batching of the second server process per plan
 * @param p99TargetMicros   the capacity search's target
 * @param stepSeconds       how long each of these steps ran
 * @param steps             every step, in the order they ran
 */
public record BatchingComparison(Batching batching, double p99TargetMicros, double stepSeconds,
        List<BatchingStep> steps) {

    public BatchingComparison {
        steps = List.copyOf(steps);
    }
}
