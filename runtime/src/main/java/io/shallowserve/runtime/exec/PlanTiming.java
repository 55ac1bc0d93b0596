package io.shallowserve.runtime.exec;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.tensor.Tensor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one way this project times execution plans: one caller runs them in alternation, one run of each per round, so
 * that a noisy neighbour or a frequency change slows them alike and their ratios stay fair. The server's {@code auto}
 * choice and plan benchmark, the trainer's pair latency and the load tests' compute floor all time through here.
 */
public final class PlanTiming {

    /** Rounds run even past the budget, so that a median exists on a slow machine. */
    private static final int MIN_RUNS = 5;

    private PlanTiming() {}

    /**
     * What the timed runs of one plan took, in nanoseconds.
     *
     * @param nanos       each timed run, in order
     * @param branchNanos each branch session's time in every timed run; empty for a plan without branches
     */
    public record PlanTimes(long[] nanos, long[] branchNanos) {

        public Percentiles percentiles() {
            return Percentiles.of(nanos);
        }

        /** Percentiles of one branch session's time; for a plan with branches only. */
        public Percentiles branchPercentiles() {
            return Percentiles.of(branchNanos);
        }

        /** Total time of the timed runs: the time one caller was busy. */
        public long busyNanos() {
            return Arrays.stream(nanos).sum();
        }
    }

    /**
     * Runs every plan {@code warmUp} times untimed, then {@code runs} timed rounds.
     *
     * @param inputs the inputs of one batch, as {@link ExecutionPlan#run} takes them
     * @return the times of each plan, in the order of {@code plans}
     */
    public static List<PlanTimes> inAlternation(List<? extends ExecutionPlan> plans, List<Tensor> inputs,
            int warmUp, int runs) throws OrtException {
        return inAlternation(plans, inputs, warmUp, runs, null);
    }

    /**
     * As {@link #inAlternation(List, List, int, int)}, but stops the timed rounds early once {@code budget}
     * per plan is spent (after at least {@value #MIN_RUNS} rounds): for measuring at load time, where a slow model
     * must not hold up the start.
     *
     * @param budget time allowed per plan for the timed rounds, null for no limit
     */
    public static List<PlanTimes> inAlternation(List<? extends ExecutionPlan> plans, List<Tensor> inputs,
            int warmUp, int runs, Duration budget) throws OrtException {
        if (runs < 1 || warmUp < 0) {
            throw new IllegalArgumentException("need at least one timed run and no negative warm-up, got " + runs
                    + " runs and " + warmUp + " warm-up");
        }
        for (int i = 0; i < warmUp; i++) {
            for (ExecutionPlan plan : plans) {
                plan.run(inputs);
            }
        }
        long deadline = budget == null ? Long.MAX_VALUE : System.nanoTime() + budget.toNanos() * plans.size();
        long[][] nanos = new long[plans.size()][runs];
        List<List<long[]>> branchNanos = new ArrayList<>();
        plans.forEach(plan -> branchNanos.add(new ArrayList<>()));
        int done = 0;
        while (done < runs && (done < MIN_RUNS || System.nanoTime() < deadline)) {
            for (int p = 0; p < plans.size(); p++) {
                long start = System.nanoTime();
                PlanResult result = plans.get(p).run(inputs);
                nanos[p][done] = System.nanoTime() - start;
                branchNanos.get(p).add(result.branchNanos());
            }
            done++;
        }
        List<PlanTimes> times = new ArrayList<>(plans.size());
        for (int p = 0; p < plans.size(); p++) {
            long[] branches = branchNanos.get(p).stream().flatMapToLong(Arrays::stream).toArray();
            times.add(new PlanTimes(Arrays.copyOf(nanos[p], done), branches));
        }
        return times;
    }
}
