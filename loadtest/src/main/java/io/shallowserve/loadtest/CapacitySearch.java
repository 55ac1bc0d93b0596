package io.shallowserve.loadtest;

import io.shallowserve.loadtest.report.BatchingStep;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.DoubleFunction;

/**
 * The capacity search: the highest open-loop rate at which every request is answered and the p99 stays within a
 * target.
 *
 * <p>Latency against offered rate stays nearly flat until the server nears saturation, then climbs steeply; where
 * that happens is not known in advance (a few hundred to many thousand requests per second, by machine, model and
 * what else runs on the machine). So the rate first moves from a start by a constant factor, which spans such a
 * range in a few steps: up while the rates meet the target, down while they miss it, until one goes the other way
 * (or the ceiling meets the target, or the floor misses it). Then each step bisects between the highest rate that met
 * the target and the lowest that missed, at their geometric mean: with a factor of 2 the two end 1.41, 1.19, 1.09
 * apart after 1, 2, 3 bisections. A search takes at most {@link Plan#maxSteps()} steps.
 */
final class CapacitySearch {

    /**
     * The rates a search may try, in requests per second.
     *
     * @param minRate    the floor: a rate that misses the target here ends the search
     * @param startRate  the first rate
     * @param maxRate    the ceiling: a rate that meets the target here ends the search
     * @param growth     the factor from one rate to the next before the first change, above 1
     * @param bisections steps between the highest rate met and the lowest missed, once there are both
     */
    record Plan(double minRate, double startRate, double maxRate, double growth, int bisections) {

        Plan {
            if (!(minRate > 0) || !(startRate >= minRate) || !(maxRate >= startRate) || !(growth > 1)
                    || bisections < 0) {
                throw new IllegalArgumentException("a capacity search needs 0 < min <= start <= max, growth > 1 and"
                        + " bisections >= 0; got " + minRate + ", " + startRate + ", " + maxRate + ", " + growth
                        + ", " + bisections);
            }
        }

        /** The most steps a search takes: from the start to the ceiling or the floor, then the bisections. */
        int maxSteps() {
            return 1 + Math.max(factorSteps(maxRate / startRate), factorSteps(startRate / minRate)) + bisections;
        }

        private int factorSteps(double ratio) {
            return (int) Math.ceil(Math.log(ratio) / Math.log(growth) - 1e-9);
        }
    }

    private final Plan plan;
    private double met = Double.NaN;
    private double missed = Double.NaN;
    private int bisectionsLeft;
    private boolean started;

    private CapacitySearch(Plan plan) {
        this.plan = plan;
        this.bisectionsLeft = plan.bisections();
    }

    /**
     * Runs one search per measurement function, in turn: each round runs the next rate of every search that is not
     * over, so that a slower moment of a shared machine falls on all of them rather than on one.
     *
     * @param measures        each search's measurement: runs the given rate and returns the step
     * @param p99TargetMicros the target a rate must meet ({@link BatchingStep#meets})
     * @return every step, in the order they ran
     */
    static List<BatchingStep> inTurn(Plan plan, double p99TargetMicros, List<DoubleFunction<BatchingStep>> measures) {
        List<CapacitySearch> searches = measures.stream().map(m -> new CapacitySearch(plan)).toList();
        List<BatchingStep> steps = new ArrayList<>();
        boolean any = true;
        while (any) {
            any = false;
            for (int i = 0; i < searches.size(); i++) {
                OptionalDouble rate = searches.get(i).nextRate();
                if (rate.isPresent()) {
                    BatchingStep step = measures.get(i).apply(rate.getAsDouble());
                    searches.get(i).record(rate.getAsDouble(), step.meets(p99TargetMicros));
                    steps.add(step);
                    any = true;
                }
            }
        }
        return steps;
    }

    /** The next rate to run, whole requests per second, or empty when the search is over. */
    private OptionalDouble nextRate() {
        if (!started) {
            return OptionalDouble.of(plan.startRate());
        }
        if (Double.isNaN(missed)) {
            return met >= plan.maxRate() ? OptionalDouble.empty()
                    : OptionalDouble.of(Math.min(Math.round(met * plan.growth()), plan.maxRate()));
        }
        if (Double.isNaN(met)) {
            return missed <= plan.minRate() ? OptionalDouble.empty()
                    : OptionalDouble.of(Math.max(Math.round(missed / plan.growth()), plan.minRate()));
        }
        double middle = Math.round(Math.sqrt(met * missed));
        // Rates closer than a request per second apart are as far as a search of whole rates can go.
        return bisectionsLeft > 0 && middle > met && middle < missed ? OptionalDouble.of(middle)
                : OptionalDouble.empty();
    }

    private void record(double rate, boolean metTarget) {
        if (!Double.isNaN(met) && !Double.isNaN(missed)) {
            bisectionsLeft--;
        }
        started = true;
        if (metTarget) {
            met = rate;
        } else {
            missed = rate;
        }
    }
}
