package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.runtime.report.Colors;
import io.shallowserve.runtime.report.LineChart;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The report's plots, made from the results: latency against offered load, throughput, latency distributions, and
 * the capacity searches with batching off and on.
 */
final class Charts {

    private static final String[] COLORS = {Colors.BLUE, Colors.RED, Colors.GREEN, Colors.PURPLE, Colors.ORANGE,
            Colors.BROWN};
    private static final String TARGET_COLOR = "#777777";

    /**
     * One plot.
     *
     * @param file    its file name under plots/
     * @param caption what it shows
     * @param svg     the drawing
     */
    record Chart(String file, String caption, String svg) {}

    private Charts() {}

    static List<Chart> all(ComparisonResult result) {
        List<Chart> charts = new ArrayList<>();
        rounds(result).ifPresent(charts::add);
        latencyAgainstRate(result, Protocol.GRPC, Measurement.DRIVER).ifPresent(charts::add);
        latencyAgainstRate(result, Protocol.HTTP, Measurement.GATLING).ifPresent(charts::add);
        throughputAgainstConcurrency(result).ifPresent(charts::add);
        distribution(result, "grpc-cdf-one-in-flight.svg", new Load.Closed(1),
                "gRPC latency distribution, one request in flight (closed loop, driver)").ifPresent(charts::add);
        result.measurements().stream()
                .filter(m -> m.protocol() == Protocol.GRPC && m.load() instanceof Load.Open)
                .map(Measurement::load)
                .max(Comparator.comparingDouble(Load::level))
                .flatMap(highest -> distribution(result, "grpc-cdf-highest-rate.svg", highest,
                        "gRPC latency distribution at " + highest.label() + " (open loop, driver)"))
                .ifPresent(charts::add);
        result.served().forEach(served -> capacitySearch(result, served).ifPresent(charts::add));
        return charts;
    }

    /**
     * Each plan's ratio to the deep baseline round by round, batch sizes in turn (solid the first, dashed the
     * others): the spread the rounds table sums up, and whether it drifts.
     */
    private static Optional<Chart> rounds(ComparisonResult result) {
        List<Rounds.Row> rows = Rounds.rows(result.rounds());
        List<ServedModel> compared = rows.stream().filter(row -> !row.isBaseline()).map(Rounds.Row::served)
                .distinct().toList();
        int firstBatch = rows.isEmpty() ? 0 : rows.getFirst().batch();
        List<LineChart.Series> series = new ArrayList<>();
        for (Rounds.Row row : rows) {
            if (!row.isBaseline()) {
                series.add(new LineChart.Series(row.served().label(), color(compared.indexOf(row.served())),
                        row.batch() != firstBatch, row.ratios().entrySet().stream()
                                .map(ratio -> new double[] {ratio.getKey(), ratio.getValue()}).toList()));
            }
        }
        List<Integer> batches = rows.stream().map(Rounds.Row::batch).distinct().toList();
        LineChart chart = new LineChart("gRPC, one request in flight: p50 against the deep baseline, round by round",
                "solid: batch " + firstBatch + (batches.size() > 1 ? ", dashed: batch "
                        + String.join(", ", batches.subList(1, batches.size()).stream().map(String::valueOf).toList())
                        : "")
                        + "; below 1 is faster than deep",
                new LineChart.Axis("round", false, Double.NaN),
                new LineChart.Axis("p50 / deep baseline's p50 (log scale)", true, Double.NaN), series);
        return chart.isEmpty() ? Optional.empty() : Optional.of(new Chart("grpc-rounds-against-deep.svg",
                "Each plan against the deep model as served fastest, in every round: the headline's spread.",
                chart.svg()));
    }

    private static Optional<Chart> latencyAgainstRate(ComparisonResult result, Protocol protocol, String generator) {
        List<LineChart.Series> series = new ArrayList<>();
        for (int i = 0; i < result.served().size(); i++) {
            ServedModel served = result.served().get(i);
            Predicate<Measurement> steps = m -> m.served().equals(served) && m.protocol() == protocol
                    && m.generator().equals(generator) && m.load() instanceof Load.Open;
            List<Measurement> open = result.measurements().stream().filter(steps).toList();
            series.add(new LineChart.Series(served.label(), color(i), false,
                    points(open, m -> m.load().level(), m -> m.summary().p50Micros() / 1000)));
            series.add(new LineChart.Series(served.label(), color(i), true,
                    points(open, m -> m.load().level(), m -> m.summary().p99Micros() / 1000)));
        }
        LineChart chart = new LineChart(protocol.label() + ": latency against offered load (open loop, " + generator
                        + ")",
                "solid: p50, dashed: p99" + (generator.equals(Measurement.GATLING) ? "; whole milliseconds" : ""),
                new LineChart.Axis("offered load (requests per second)", false, Double.NaN),
                new LineChart.Axis("latency (ms, log scale)", true, Double.NaN), series);
        String file = protocol.name().toLowerCase(Locale.ROOT) + "-latency-vs-load.svg";
        return chart.isEmpty() ? Optional.empty() : Optional.of(new Chart(file,
                "How latency grows with the offered load, per model and plan, over " + protocol.label() + ".",
                chart.svg()));
    }

    private static Optional<Chart> throughputAgainstConcurrency(ComparisonResult result) {
        List<LineChart.Series> series = new ArrayList<>();
        Predicate<Measurement> closedLoop = m -> m.protocol() == Protocol.GRPC
                && m.generator().equals(Measurement.DRIVER) && m.load() instanceof Load.Closed;
        for (int i = 0; i < result.served().size(); i++) {
            ServedModel served = result.served().get(i);
            series.add(new LineChart.Series(served.label(), color(i), false,
                    points(result.measurements().stream().filter(closedLoop.and(m -> m.served().equals(served)))
                            .toList(), m -> m.load().level(), m -> m.summary().throughput())));
        }
        List<Double> concurrencies = result.measurements().stream().filter(closedLoop)
                .map(m -> m.load().level()).distinct().sorted().toList();
        LineChart chart = new LineChart("gRPC: throughput against requests in flight (closed loop, driver)",
                "answers per second with N requests always outstanding",
                new LineChart.Axis("requests in flight (log scale)", true, Double.NaN, concurrencies),
                new LineChart.Axis("throughput (requests per second)", false, 0), series);
        return chart.isEmpty() ? Optional.empty() : Optional.of(new Chart("grpc-throughput-vs-concurrency.svg",
                "Where each model and plan saturates on this machine.", chart.svg()));
    }

    private static Optional<Chart> distribution(ComparisonResult result, String file, Load load, String title) {
        List<LineChart.Series> series = new ArrayList<>();
        for (int i = 0; i < result.served().size(); i++) {
            ServedModel served = result.served().get(i);
            Optional<Measurement> step = ReportTables.find(result, served, Protocol.GRPC, Measurement.DRIVER, load);
            if (step.isPresent()) {
                List<double[]> points = step.get().summary().cdf().stream()
                        .map(p -> new double[] {p.micros() / 1000, p.fraction()}).toList();
                series.add(new LineChart.Series(served.label(), color(i), false, points));
            }
        }
        LineChart chart = new LineChart(title, "fraction of requests answered within a latency",
                new LineChart.Axis("latency (ms, log scale)", true, Double.NaN),
                new LineChart.Axis("fraction of requests", false, 0), series);
        return chart.isEmpty() ? Optional.empty() : Optional.of(new Chart(file,
                "The whole distribution behind the percentiles: a curve further left is faster; its top right"
                        + " is the tail.", chart.svg()));
    }

    /**
     * One served model's capacity searches: p99 against the offered rate with batching off and on, and the target.
     */
    private static Optional<Chart> capacitySearch(ComparisonResult result, ServedModel served) {
        BatchingComparison batching = result.batching();
        List<LineChart.Series> series = new ArrayList<>();
        List<Batching> variants = BatchingTables.variants(batching);
        List<BatchingStep> all = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            List<BatchingStep> search = BatchingTables.search(batching, served, variants.get(i));
            all.addAll(search);
            series.add(new LineChart.Series("batching " + variants.get(i).label(), color(i), false,
                    points(search, s -> s.load().level(), s -> s.summary().p99Micros() / 1000)));
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        double target = batching.p99TargetMicros() / 1000;
        DoubleSummaryStatistics rates = all.stream().mapToDouble(s -> s.load().level()).summaryStatistics();
        series.add(new LineChart.Series("p99 target " + BatchingTables.milliseconds(batching.p99TargetMicros())
                + " ms", TARGET_COLOR, true, List.of(new double[] {rates.getMin(), target},
                        new double[] {rates.getMax(), target})));
        // Doubling ticks from the lowest rate tried, at least two: the axis spans the rates tried, not the whole
        // decades around them.
        List<Double> ticks = new ArrayList<>();
        for (double tick = rates.getMin(); ticks.size() < 2 || ticks.getLast() < rates.getMax(); tick *= 2) {
            ticks.add(tick);
        }
        LineChart chart = new LineChart(served.label() + ": gRPC p99 against offered rate, batching off and on",
                "the capacity search's steps (open loop, driver); dashed: the target",
                new LineChart.Axis("offered rate (requests per second, log scale)", true, Double.NaN, ticks),
                new LineChart.Axis("p99 (ms, log scale)", true, Double.NaN), series);
        return Optional.of(new Chart("grpc-capacity-" + served.model() + "-" + served.plan() + ".svg",
                "Where " + served.label() + " crosses the p99 target, with batching off and on: the capacity"
                        + " search's rates, each run once.", chart.svg()));
    }

    /** The steps as (x, y) points, in the order of x. */
    private static <T> List<double[]> points(List<T> steps, ToDoubleFunction<T> x, ToDoubleFunction<T> y) {
        return steps.stream()
                .sorted(Comparator.comparingDouble(x))
                .map(step -> new double[] {x.applyAsDouble(step), y.applyAsDouble(step)})
                .toList();
    }

    private static String color(int index) {
        return COLORS[index % COLORS.length];
    }
}
