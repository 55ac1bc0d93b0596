package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.runtime.exec.PlanChoice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How much the comparison measures.
 *
 * @param mode            a name for the report
 * @param roundPlans      the execution plans of the rounds, all served by one server process: every model under
 *                        each, but a deep model only under the first of {@code plans} and under auto (at the
 *                        intra-op thread count auto measures best), the two candidates for the deep baseline
 * @param rounds          how many times the rounds run every served model at every batch size, one after the other
 * @param roundStep       how long each of those steps runs
 * @param roundBatches    images per request in the rounds
 * @param plans           the execution plans of the load steps, one server process each (and one more with
 *                        {@code batching} for the batching comparison); deep models run under the first only, the
 *                        baseline of the load steps (single: auto's load-time choice of two intra-op threads for
 *                        deep measured worse than one under this comparison's concurrent load on 2 cores)
 * @param step            how long each load step runs
 * @param warmUp          unrecorded load on each model and the no-op, per protocol, when a server has started (and
 *                        Gatling's per model before its steps)
 * @param concurrencies   the driver's closed-loop steps (gRPC)
 * @param rates           the open-loop rates, gRPC (driver) and HTTP (Gatling)
 * @param gatlingUsers    Gatling's closed-model steps (HTTP)
 * @param computeWarmUp   unrecorded in-process runs of each plan
 * @param computeRuns     recorded in-process runs of each plan
 * @param batching        the batching of a second server process per plan, measured against the first (batching off)
 * @param batchingStep    how long each step of the batching comparison runs (one in flight, capacity search)
 * @param capacitySearch  the rates the capacity search may try
 * @param p99TargetMicros the capacity search's target
 */
public record ComparisonSettings(
        String mode,
        List<String> roundPlans,
        int rounds,
        Duration roundStep,
        List<Integer> roundBatches,
        List<String> plans,
        Duration step,
        Duration warmUp,
        List<Integer> concurrencies,
        List<Double> rates,
        List<Integer> gatlingUsers,
        int computeWarmUp,
        int computeRuns,
        Batching batching,
        Duration batchingStep,
        CapacitySearch.Plan capacitySearch,
        double p99TargetMicros) {

    public ComparisonSettings {
        roundPlans = List.copyOf(roundPlans);
        roundBatches = List.copyOf(roundBatches);
        plans = List.copyOf(plans);
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("the load steps need at least one plan");
        }
        concurrencies = List.copyOf(concurrencies);
        rates = List.copyOf(rates);
        gatlingUsers = List.copyOf(gatlingUsers);
        if (!concurrencies.contains(1)) {
            throw new IllegalArgumentException("the closed-loop steps must include 1 in flight: the overhead is"
                    + " measured there");
        }
        if (!batching.enabled()) {
            throw new IllegalArgumentException("the batching comparison needs batching on for its second servers");
        }
        if (!(p99TargetMicros > 0)) {
            throw new IllegalArgumentException("the p99 target must be positive, got " + p99TargetMicros + " µs");
        }
    }

    /** Every plan a server offers, each measured in the rounds. */
    private static final List<String> EVERY_PLAN = Arrays.stream(PlanChoice.values())
            .map(choice -> choice.name().toLowerCase(Locale.ROOT)).toList();

    /**
     * The whole comparison: about 10 minutes on 2 cores. The rounds: 10 of 1 s steps. The capacity search starts at
     * 500/s, doubles up to 16000/s (or halves down to 125/s) at most, then bisects 3 times: the capacity to within
     * 9 %, at most 9 steps of 3 s per model, plan and batching.
     */
    public static ComparisonSettings full(Batching batching, double p99TargetMicros) {
        return new ComparisonSettings("full", EVERY_PLAN, 10, Duration.ofSeconds(1), List.of(1, 8),
                List.of("single", "wide", "grouped", "branches"), Duration.ofSeconds(4),
                Duration.ofSeconds(2), List.of(1, 2, 4, 8, 16, 32), List.of(250.0, 500.0, 1000.0, 2000.0),
                List.of(1, 4, 16), 500, 5000, batching, Duration.ofSeconds(3),
                new CapacitySearch.Plan(125, 500, 16000, 2, 3), p99TargetMicros);
    }

    /**
     * The README's main job: the same comparison, fewer and shorter steps, about 3.5 minutes. The rounds: 10 of 0.3 s
     * steps (more short rounds rather than fewer long ones: each ratio's two steps lie closer in time, and the median
     * is of more ratios); the load steps for single and wide only. The capacity search starts
     * at 1000/s, doubles up to 8000/s (or halves down to 250/s) at most, then bisects once: the capacity to within
     * 41 %, at most 5 steps of 1 s.
     */
    public static ComparisonSettings quick(Batching batching, double p99TargetMicros) {
        return new ComparisonSettings("quick", EVERY_PLAN, 10, Duration.ofMillis(300), List.of(1, 8),
                List.of("single", "wide"), Duration.ofSeconds(2),
                Duration.ofSeconds(1), List.of(1, 8), List.of(500.0, 2000.0), List.of(8), 200, 2000, batching,
                Duration.ofSeconds(1), new CapacitySearch.Plan(250, 1000, 8000, 2, 1), p99TargetMicros);
    }

    /** The driver's steps: closed loop by concurrency, then open loop by rate. */
    List<Load> driverLoads() {
        List<Load> loads = new ArrayList<>();
        concurrencies.forEach(c -> loads.add(new Load.Closed(c)));
        rates.forEach(r -> loads.add(new Load.Open(r)));
        return loads;
    }

    /** Gatling's steps: open model by rate, then closed model by users. */
    List<Load> gatlingLoads() {
        List<Load> loads = new ArrayList<>();
        rates.forEach(r -> loads.add(new Load.Open(r)));
        gatlingUsers.forEach(u -> loads.add(new Load.Closed(u)));
        return loads;
    }
}
