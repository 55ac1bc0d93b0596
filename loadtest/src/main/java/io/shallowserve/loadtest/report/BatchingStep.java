package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;

/**
 * One step of the batching comparison: a served model on the server process with batching off or on, one load over
 * gRPC (driver).
 *
 * @param served        the model and plan
 * @param batching      the batching of the server process that served it
 * @param load          closed 1 (latency at low load) or an open-loop rate of the capacity search
 * @param summary       what came back
 * @param meanBatchSize images per execution the server ran during the step: the growth of its statistics'
 *                      inference count over that of its execution count; NaN if it ran none
 */
public record BatchingStep(ServedModel served, Batching batching, Load load, LatencySummary summary,
        double meanBatchSize) {

    /** Every request answered and the p99 within the target: the capacity search's test of a rate. */
    public boolean meets(double p99TargetMicros) {
        return summary.errors() == 0 && summary.p99Micros() <= p99TargetMicros;
    }
}
