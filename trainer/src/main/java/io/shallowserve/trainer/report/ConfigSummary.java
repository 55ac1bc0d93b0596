package io.shallowserve.trainer.report;

import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.trainer.sweep.SweepRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One config (a point without its seed) over its seeds: means of the losses and accuracies, medians of the
 * latencies (a median is not moved by one run that a neighbour disturbed).
 */
record ConfigSummary(String configId, List<RowPair> seeds) {

    static List<ConfigSummary> of(List<RowPair> pairs) {
        Map<String, List<RowPair>> byConfig = new LinkedHashMap<>();
        for (RowPair pair : pairs) {
            byConfig.computeIfAbsent(pair.point().configId(), id -> new ArrayList<>()).add(pair);
        }
        return byConfig.entrySet().stream().map(e -> new ConfigSummary(e.getKey(), List.copyOf(e.getValue()))).toList();
    }

    /** Q of the first seed: the seeds of one config share the split size and so Q. */
    double q() {
        return seeds.get(0).q();
    }

    long parameters() {
        return seeds.get(0).deep().parameters();
    }

    double deep(ToDoubleFunction<SweepRow> metric) {
        return Stats.mean(seeds, pair -> metric.applyAsDouble(pair.deep()));
    }

    double shallow(ToDoubleFunction<SweepRow> metric) {
        return Stats.mean(seeds, pair -> metric.applyAsDouble(pair.shallow()));
    }

    /** Median batch-1 p50 over the seeds, in microseconds; NaN when not measured. */
    double latency(Function<RowPair, Percentiles> plan) {
        List<RowPair> measured = seeds.stream().filter(pair -> plan.apply(pair) != null).toList();
        return Stats.median(measured, pair -> plan.apply(pair).p50());
    }
}
