package io.shallowserve.trainer.report;

import io.shallowserve.runtime.exec.Percentiles;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Test accuracy against batch-1 latency: each config in each of the three ways the server can run it. A point is
 * on the frontier when no other point is at least as fast and more accurate.
 */
final class Frontier {

    /** The ways the server runs a pair; both shallow plans run the same model, so they have the same accuracy. */
    enum Plan {
        DEEP_SINGLE("deep-single", pair -> pair.deep().single()),
        SHALLOW_SINGLE("shallow-single", pair -> pair.shallow().single()),
        SHALLOW_BRANCHES("shallow-branches", pair -> pair.shallow().branches());

        private final String label;
        private final Function<RowPair, Percentiles> latency;

        Plan(String label, Function<RowPair, Percentiles> latency) {
            this.label = label;
            this.latency = latency;
        }

        String label() {
            return label;
        }

        Function<RowPair, Percentiles> latency() {
            return latency;
        }
    }

    /**
     * @param latencyMicros median over the config's seeds of the batch-1 p50
     * @param accuracy      mean test accuracy over the config's seeds
     */
    record Point(ConfigSummary config, Plan plan, double latencyMicros, double accuracy) {}

    private Frontier() {
    }

    /** Every config in every plan that has a measured latency. */
    static List<Point> points(List<ConfigSummary> configs) {
        List<Point> points = new ArrayList<>();
        for (ConfigSummary config : configs) {
            for (Plan plan : Plan.values()) {
                double latency = config.latency(plan.latency());
                if (!Double.isNaN(latency)) {
                    double accuracy = plan == Plan.DEEP_SINGLE ? config.deep(row -> row.test().accuracy())
                            : config.shallow(row -> row.test().accuracy());
                    points.add(new Point(config, plan, latency, accuracy));
                }
            }
        }
        return points;
    }

    /** The frontier, fastest first: each point more accurate than every faster one. */
    static List<Point> pareto(List<Point> points) {
        List<Point> byLatency = points.stream()
                .sorted(Comparator.comparingDouble(Point::latencyMicros)
                        .thenComparing(Comparator.comparingDouble(Point::accuracy).reversed()))
                .toList();
        List<Point> frontier = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (Point point : byLatency) {
            if (point.accuracy() > best) {
                frontier.add(point);
                best = point.accuracy();
            }
        }
        return frontier;
    }
}
