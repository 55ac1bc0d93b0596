package io.shallowserve.loadtest.report;

import java.util.List;

/**
 * Everything one comparison measured.
 *
 * @param run          the conditions
 * @param served       the served models of the load steps, in the order they ran (deep models first, the first of
 *                     them the baseline of the ratios under load)
 * @param rounds       the deep-against-shallow rounds: every plan, gRPC, one request in flight, batch sizes in turn
 * @param compute      the in-process floor of each served model and of each model the rounds served
 * @param noOps        the no-op round trip of each server process and protocol
 * @param measurements every load step but the batching comparison's, all with batching off
 * @param batching     the batching comparison: its steps with batching off and on
 * @param gatlingReports Gatling's own HTML reports, relative to the report folder
 */
public record ComparisonResult(
        RunInfo run,
        List<ServedModel> served,
        List<RoundStep> rounds,
        List<Floors.Compute> compute,
        List<Floors.NoOp> noOps,
        List<Measurement> measurements,
        BatchingComparison batching,
        List<String> gatlingReports) {

    public ComparisonResult {
        served = List.copyOf(served);
        rounds = List.copyOf(rounds);
        compute = List.copyOf(compute);
        noOps = List.copyOf(noOps);
        measurements = List.copyOf(measurements);
        gatlingReports = List.copyOf(gatlingReports);
    }

    /** Every request that failed, in any step. */
    public long errors() {
        return measurements.stream().mapToLong(m -> m.summary().errors()).sum()
                + rounds.stream().mapToLong(r -> r.summary().errors()).sum()
                + noOps.stream().mapToLong(n -> n.summary().errors()).sum()
                + batching.steps().stream().mapToLong(b -> b.summary().errors()).sum();
    }
}
