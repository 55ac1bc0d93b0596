package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The rounds summed up: per batch size and served model, the median of its rounds' p50 and p99, and its ratio to the
 * deep baseline in each round (the baseline and the model measured moments apart, so that a slower minute of a shared
 * machine falls on both) with the median and range of those ratios. The baseline is the deep model as served fastest:
 * of the deep models served (under single, and under auto at the thread count auto chose), the one with the lowest
 * median p50 at that batch size.
 */
public final class Rounds {

    private Rounds() {}

    /**
     * One served model at one batch size.
     *
     * @param baseline the deep model the ratios are to
     * @param p50      medians of the rounds' p50 in microseconds, with their range
     * @param p99      medians of the rounds' p99 in microseconds, with their range
     * @param ratios   by round, in order: its p50 over the baseline's p50 in the same round, for the rounds in which
     *                 both answered; 1 for the baseline
     */
    public record Row(ServedModel served, int batch, ServedModel baseline, Spread p50, Spread p99,
            SortedMap<Integer, Double> ratios) {

        public Row {
            ratios = Collections.unmodifiableSortedMap(new TreeMap<>(ratios));
        }

        public boolean isBaseline() {
            return served.equals(baseline);
        }

        /** The median and range of {@link #ratios()}. */
        public Spread ratio() {
            return Spread.of(ratios.values().stream().mapToDouble(Double::doubleValue).toArray());
        }

        /** How many rounds the ratios come from. */
        public int rounds() {
            return ratios.size();
        }
    }

    /** The median of some values and their least and greatest. */
    public record Spread(double median, double min, double max) {

        static Spread of(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
            return new Spread(median, sorted[0], sorted[n - 1]);
        }
    }

    /**
     * The rows, by batch size in the order measured, then served model in the order measured. A step with no answered
     * request has no p50 and counts as missing; a batch size without a deep model or with no answered deep step has no
     * rows.
     */
    public static List<Row> rows(List<RoundStep> steps) {
        Map<Integer, Map<ServedModel, Map<Integer, RoundStep>>> byBatch = new LinkedHashMap<>();
        for (RoundStep step : steps) {
            if (Double.isFinite(step.summary().p50Micros())) {
                byBatch.computeIfAbsent(step.batch(), b -> new LinkedHashMap<>())
                        .computeIfAbsent(step.served(), s -> new LinkedHashMap<>()).put(step.round(), step);
            }
        }
        List<Row> rows = new ArrayList<>();
        byBatch.forEach((batch, byServed) -> {
            Optional<ServedModel> baseline = byServed.keySet().stream().filter(ServedModel::isDeep)
                    .min(Comparator.comparingDouble(s -> spread(byServed.get(s).values(), LatencySummary::p50Micros)
                            .median()));
            if (baseline.isEmpty()) {
                return;
            }
            Map<Integer, RoundStep> base = byServed.get(baseline.get());
            byServed.forEach((served, rounds) -> {
                SortedMap<Integer, Double> ratios = new TreeMap<>();
                rounds.forEach((round, step) -> {
                    if (base.containsKey(round)) {
                        ratios.put(round, step.summary().p50Micros() / base.get(round).summary().p50Micros());
                    }
                });
                if (!ratios.isEmpty()) {
                    rows.add(new Row(served, batch, baseline.get(), spread(rounds.values(), LatencySummary::p50Micros),
                            spread(rounds.values(), LatencySummary::p99Micros), ratios));
                }
            });
        });
        return rows;
    }

    /**
     * Per batch size, the shallow row with the lowest median ratio: the plan that makes the shallow shape fastest
     * against the deep one.
     */
    public static List<Row> fastestShallow(List<Row> rows) {
        Map<Integer, Row> fastest = new LinkedHashMap<>();
        for (Row row : rows) {
            if (!row.served().isDeep()) {
                fastest.merge(row.batch(), row, (a, b) -> b.ratio().median() < a.ratio().median() ? b : a);
            }
        }
        return List.copyOf(fastest.values());
    }

    private static Spread spread(Iterable<RoundStep> steps, ToDoubleFunction<LatencySummary> value) {
        List<Double> values = new ArrayList<>();
        steps.forEach(step -> values.add(value.applyAsDouble(step.summary())));
        return Spread.of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
