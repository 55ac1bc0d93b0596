package io.shallowserve.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.loadtest.report.BatchingStep;
import io.shallowserve.loadtest.report.ServedModel;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** The capacity search on made-up servers: known p99 curves against the offered rate, no timing. */
class CapacitySearchTest {

    private static final double TARGET_MICROS = 5000;
    private static final CapacitySearch.Plan PLAN = new CapacitySearch.Plan(125, 500, 16000, 2, 3);
    private static final ServedModel DEEP = new ServedModel("deep", "deep", "single");
    private static final ServedModel SHALLOW = new ServedModel("shallow", "shallow", "single");

    /** A server whose p99 at each rate is {@code p99Micros(rate)}, none of whose requests fail. */
    private static DoubleFunction<BatchingStep> server(ServedModel served, DoubleUnaryOperator p99Micros) {
        return rate -> step(served, rate, p99Micros.applyAsDouble(rate), 0);
    }

    private static BatchingStep step(ServedModel served, double rate, double p99Micros, long errors) {
        LatencySummary summary = new LatencySummary(Math.round(rate), errors, Map.of(), 1, p99Micros / 2,
                p99Micros / 2, p99Micros, p99Micros, rate, 1, List.of());
        return new BatchingStep(served, Batching.OFF, new Load.Open(rate), summary, 1);
    }

    /** A server that meets the target up to {@code capacity} requests per second and misses it above. */
    private static DoubleFunction<BatchingStep> saturatingAt(ServedModel served, double capacity) {
        return server(served, rate -> rate <= capacity ? 800 : 40_000);
    }

    private static List<Double> rates(List<BatchingStep> steps) {
        return steps.stream().map(s -> s.load().level()).toList();
    }

    private static double found(List<BatchingStep> steps) {
        return steps.stream().filter(s -> s.meets(TARGET_MICROS)).mapToDouble(s -> s.load().level()).max()
                .orElse(Double.NaN);
    }

    @Test
    void inTurn_kneeBetweenRates_growsToTheFirstMissThenBisectsGeometrically() {
        List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS, List.of(saturatingAt(DEEP, 3000)));

        // 4000 misses: then sqrt(2000 * 4000) = 2828 meets, sqrt(2828 * 4000) = 3363 and 3084 miss.
        assertThat(rates(steps)).containsExactly(500.0, 1000.0, 2000.0, 4000.0, 2828.0, 3363.0, 3084.0);
        assertThat(found(steps)).isEqualTo(2828);
    }

    @Test
    void inTurn_anyKnee_findsARateWithinOneBisectionFactorBelowIt() {
        // After 3 bisections the rate met and the rate missed are a factor of 2^(1/8) apart.
        double factor = Math.pow(2, 1.0 / 8);
        for (double capacity : new double[] {130, 300, 499, 700, 1234, 2000, 2500, 5999, 9000, 15000}) {
            List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS,
                    List.of(saturatingAt(DEEP, capacity)));

            assertThat(found(steps)).as("capacity %s", capacity).isLessThanOrEqualTo(capacity)
                    .isGreaterThan(capacity / factor - 1);
            assertThat(steps).hasSizeLessThanOrEqualTo(PLAN.maxSteps());
        }
    }

    @Test
    void inTurn_p99ClimbingSmoothly_findsWhereItCrossesTheTarget() {
        // p99 = 1 ms at no load, growing without bound as the rate nears 12500/s: 5 ms at 10000/s.
        DoubleUnaryOperator p99 = rate -> rate < 12_500 ? 1000 / (1 - rate / 12_500) : Double.POSITIVE_INFINITY;

        List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS, List.of(server(DEEP, p99)));

        assertThat(found(steps)).isLessThanOrEqualTo(10_000).isGreaterThan(10_000 / Math.pow(2, 1.0 / 8));
    }

    @Test
    void inTurn_ceilingMeetsTheTarget_stopsThere() {
        List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS, List.of(saturatingAt(DEEP, 1e9)));

        assertThat(rates(steps)).containsExactly(500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0);
        assertThat(steps).hasSize(PLAN.maxSteps() - PLAN.bisections());
    }

    @Test
    void inTurn_startMisses_stepsDownToTheFirstRateMetThenBisects() {
        List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS, List.of(saturatingAt(DEEP, 200)));

        // 125 meets: then sqrt(125 * 250) = 177 meets, sqrt(177 * 250) = 210 misses, sqrt(177 * 210) = 193 meets.
        assertThat(rates(steps)).containsExactly(500.0, 250.0, 125.0, 177.0, 210.0, 193.0);
        assertThat(found(steps)).isEqualTo(193);
    }

    @Test
    void inTurn_floorMisses_stopsThereWithNothingFound() {
        List<BatchingStep> steps = CapacitySearch.inTurn(PLAN, TARGET_MICROS, List.of(saturatingAt(DEEP, 100)));

        assertThat(rates(steps)).containsExactly(500.0, 250.0, 125.0);
        assertThat(found(steps)).isNaN();
    }

    @Test
    void inTurn_failedRequests_missTheTargetWhateverTheP99() {
        DoubleFunction<BatchingStep> refusesAbove1000 = rate -> step(DEEP, rate, 800, rate > 1000 ? 3 : 0);

        List<BatchingStep> steps = CapacitySearch.inTurn(new CapacitySearch.Plan(125, 500, 16000, 2, 0), TARGET_MICROS,
                List.of(refusesAbove1000));

        assertThat(rates(steps)).containsExactly(500.0, 1000.0, 2000.0);
        assertThat(found(steps)).isEqualTo(1000);
    }

    @Test
    void inTurn_twoSearches_alternateStepByStepUntilEachIsOver() {
        List<BatchingStep> steps = CapacitySearch.inTurn(new CapacitySearch.Plan(125, 500, 16000, 2, 1), TARGET_MICROS,
                List.of(saturatingAt(DEEP, 1500), saturatingAt(SHALLOW, 5000)));

        assertThat(steps).extracting(s -> s.served().model() + " " + (int) s.load().level()).containsExactly(
                "deep 500", "shallow 500",
                "deep 1000", "shallow 1000",
                "deep 2000", "shallow 2000",
                "deep 1414", "shallow 4000",
                "shallow 8000",
                "shallow 5657");
    }

    @Test
    void plan_startAboveCeiling_isRefused() {
        assertThatThrownBy(() -> new CapacitySearch.Plan(500, 2000, 1000, 2, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
