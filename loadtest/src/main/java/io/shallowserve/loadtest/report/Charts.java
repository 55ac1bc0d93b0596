package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/** The report's plots, made from the results: latency against offered load, throughput, latency distributions. */
final class Charts {

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

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
        return charts;
    }

    private static Optional<Chart> latencyAgainstRate(ComparisonResult result, Protocol protocol, String generator) {
        List<LineChart.Series> series = new ArrayList<>();
        for (int i = 0; i < result.served().size(); i++) {
            ServedModel served = result.served().get(i);
            Predicate<Measurement> steps = m -> m.served().equals(served) && m.protocol() == protocol
                    && m.generator().equals(generator) && m.load() instanceof Load.Open;
            series.add(new LineChart.Series(served.label(), color(i), false,
                    points(result, steps, m -> m.load().level(), m -> m.summary().p50Micros() / 1000)));
            series.add(new LineChart.Series(served.label(), color(i), true,
                    points(result, steps, m -> m.load().level(), m -> m.summary().p99Micros() / 1000)));
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
            series.add(new LineChart.Series(served.label(), color(i), false, points(result,
                    closedLoop.and(m -> m.served().equals(served)), m -> m.load().level(),
                    m -> m.summary().throughput())));
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

    private static List<double[]> points(ComparisonResult result, Predicate<Measurement> steps,
            ToDoubleFunction<Measurement> x, ToDoubleFunction<Measurement> y) {
        return result.measurements().stream().filter(steps)
                .sorted(Comparator.comparingDouble(x))
                .map(m -> new double[] {x.applyAsDouble(m), y.applyAsDouble(m)})
                .toList();
    }

    private static String color(int index) {
        return COLORS[index % COLORS.length];
    }
}
