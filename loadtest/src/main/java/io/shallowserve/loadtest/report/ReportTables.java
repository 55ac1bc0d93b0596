package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.runtime.report.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/** The report's tables, computed from the results once for both renderings. */
final class ReportTables {

    private ReportTables() {}

    /**
     * The rounds: every plan against the deep model as served fastest, per batch size, with the spread over rounds;
     * beside batch 1, the in-process floor's p50 and its ratio to the fastest deep floor.
     */
    static TitledTable rounds(ComparisonResult result) {
        List<Rounds.Row> rows = Rounds.rows(result.rounds());
        Optional<Floors.Compute> deepFloor = result.compute().stream().filter(c -> c.served().isDeep())
                .min(Comparator.comparingDouble(c -> c.summary().p50Micros()));
        List<List<String>> cells = new ArrayList<>();
        for (Rounds.Row row : rows) {
            Optional<Floors.Compute> floor = row.batch() == 1 ? result.compute().stream()
                    .filter(c -> c.served().equals(row.served())).findFirst() : Optional.empty();
            cells.add(List.of(Integer.toString(row.batch()), row.served().model(), row.served().plan(),
                    Integer.toString(row.rounds()), spreadMillis(row.p50()),
                    String.format(Locale.ROOT, "%.3f", row.p99().median() / 1000),
                    row.isBaseline() ? "baseline" : spreadRatio(row.ratio(), ""),
                    floor.map(f -> millis(f.summary().p50Micros(), f.summary())).orElse("-"),
                    floor.flatMap(f -> deepFloor.map(d -> String.format(Locale.ROOT, "%.2f",
                            f.summary().p50Micros() / d.summary().p50Micros()))).orElse("-")));
        }
        return new TitledTable("Deep against shallow, every plan, in rounds",
                "gRPC, driver, one request in flight, requests of one image and of several (batch); every served"
                        + " model ran one short step per round, one after the other (the order turned by one each"
                        + " round), so that each ratio compares latencies measured moments apart. p50: the median of"
                        + " the rounds' p50 with their range; p99: the median of the rounds' p99. against deep: each"
                        + " round's p50 over the baseline's in the same round, the median and range over the rounds;"
                        + " the baseline is the deep model as served fastest (under single, one intra-op thread per"
                        + " request, or under auto, at the thread count auto measured best at load), below 1.00 is"
                        + " faster. in-process: the plan alone, no server (batch 1), and its ratio to the fastest deep"
                        + " plan in-process.",
                new Table(List.of("batch", "model", "plan", "rounds", "p50 ms (range)", "p99 ms", "against deep",
                        "in-process p50 ms", "in-process against deep"), cells, 3));
    }

    /** "0.512 (0.498–0.530)". */
    private static String spreadMillis(Rounds.Spread spread) {
        return String.format(Locale.ROOT, "%.3f (%.3f–%.3f)", spread.median() / 1000, spread.min() / 1000,
                spread.max() / 1000);
    }

    /**
     * A ratio's median with its range, the median followed by {@code unit} ("x" in a sentence, none in a table):
     * "0.93x (0.88–1.01)".
     */
    static String spreadRatio(Rounds.Spread spread, String unit) {
        return String.format(Locale.ROOT, "%.2f%s (%.2f–%.2f)", spread.median(), unit, spread.min(), spread.max());
    }

    /** Every load step: model x plan x protocol x load. */
    static TitledTable latency(ComparisonResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (ServedModel served : result.served()) {
            for (Protocol protocol : Protocol.values()) {
                for (Measurement m : result.measurements()) {
                    if (m.served().equals(served) && m.protocol() == protocol) {
                        LatencySummary s = m.summary();
                        rows.add(List.of(served.model(), served.plan(), protocol.label(), m.generator(),
                                m.load().label(), Long.toString(s.requests()), Long.toString(s.errors()),
                                millis(s.p50Micros(), s), millis(s.p90Micros(), s), millis(s.p99Micros(), s),
                                millis(s.maxMicros(), s), String.format(Locale.ROOT, "%.0f", s.throughput())));
                    }
                }
            }
        }
        return new TitledTable("Latency under load",
                "Open loop (\"open R/s\"): requests leave at R per second whatever the answers do; the driver counts"
                        + " latency from each request's scheduled send time (no coordinated omission), Gatling from"
                        + " its actual send. Closed loop (\"closed N\"): N requests in flight (driver) or N virtual"
                        + " users (Gatling). Latencies in milliseconds; Gatling records whole milliseconds.",
                new Table(List.of("model", "plan", "protocol", "generator", "load", "requests", "errors", "p50 ms",
                        "p90 ms", "p99 ms", "max ms", "throughput/s"), rows, 5));
    }

    /** Compute floor, no-op floor, end-to-end at one request in flight, and what is left: the server's overhead. */
    static TitledTable floors(ComparisonResult result) {
        List<List<String>> rows = new ArrayList<>();
        for (ServedModel served : result.served()) {
            Optional<Floors.Compute> compute = result.compute().stream()
                    .filter(c -> c.served().equals(served)).findFirst();
            for (Protocol protocol : Protocol.values()) {
                Optional<Floors.NoOp> noOp = result.noOps().stream()
                        .filter(n -> n.plan().equals(served.plan()) && n.protocol() == protocol.frontEnd())
                        .findFirst();
                Optional<Measurement> endToEnd = oneInFlight(result, served, protocol);
                if (compute.isEmpty() || noOp.isEmpty() || endToEnd.isEmpty()) {
                    continue;
                }
                LatencySummary e2e = endToEnd.get().summary();
                double overhead = e2e.p50Micros() - compute.get().summary().p50Micros()
                        - noOp.get().summary().p50Micros();
                rows.add(List.of(served.model(), served.plan(), protocol.label(),
                        millis(compute.get().summary().p50Micros(), compute.get().summary()),
                        millis(compute.get().summary().p99Micros(), compute.get().summary()),
                        millis(noOp.get().summary().p50Micros(), noOp.get().summary()),
                        millis(e2e.p50Micros(), e2e), millis(e2e.p99Micros(), e2e), millis(overhead, e2e)));
            }
        }
        return new TitledTable("Floors and server overhead (one request in flight)",
                "compute: the model's execution plan in-process, one caller, no server. no-op: a round trip to the"
                        + " same server process that runs no model (gRPC ServerLive, HTTP GET /v2/health/live)."
                        + " end-to-end: inference through the server, driver, closed loop with 1 in flight; over HTTP"
                        + " the tensors in JSON, over \"HTTP binary\" as Triton's binary tensor data (the image's"
                        + " bytes after a JSON header, the logits answered as bytes), as tritonclient.http and"
                        + " perf_analyzer send them by default."
                        + " overhead = end-to-end p50 - compute p50 - no-op p50: what the server adds around the"
                        + " model beyond a bare round trip (decoding, queueing, encoding). Medians do not add exactly;"
                        + " read it as an estimate.",
                new Table(List.of("model", "plan", "protocol", "compute p50 ms", "compute p99 ms", "no-op p50 ms",
                        "end-to-end p50 ms", "end-to-end p99 ms", "overhead p50 ms"), rows, 3));
    }

    /**
     * Each served model against the first deep model served, step by step: what the shallow shape and its plans
     * change. Empty when no deep model was served.
     */
    static Optional<TitledTable> ratios(ComparisonResult result) {
        Optional<ServedModel> baseline = result.served().stream().filter(ServedModel::isDeep).findFirst();
        if (baseline.isEmpty()) {
            return Optional.empty();
        }
        List<ServedModel> others = result.served().stream().filter(s -> !s.equals(baseline.get())).toList();
        List<String> header = new ArrayList<>(List.of("protocol", "generator", "load",
                baseline.get().label() + " p50 ms"));
        others.forEach(o -> header.add(o.label() + " p50"));
        header.add(baseline.get().label() + " p99 ms");
        others.forEach(o -> header.add(o.label() + " p99"));
        List<List<String>> rows = new ArrayList<>();
        for (Measurement base : result.measurements()) {
            if (!base.served().equals(baseline.get())) {
                continue;
            }
            List<String> row = new ArrayList<>(List.of(base.protocol().label(), base.generator(),
                    base.load().label()));
            for (ToDoubleFunction<LatencySummary> percentile : List.<ToDoubleFunction<LatencySummary>>of(
                    LatencySummary::p50Micros, LatencySummary::p99Micros)) {
                double baseValue = percentile.applyAsDouble(base.summary());
                row.add(millis(baseValue, base.summary()));
                for (ServedModel other : others) {
                    row.add(find(result, other, base.protocol(), base.generator(), base.load())
                            .map(m -> ratioCell(percentile.applyAsDouble(m.summary()), baseValue, m.summary()))
                            .orElse("-"));
                }
            }
            rows.add(row);
        }
        return Optional.of(new TitledTable("Against " + baseline.get().label() + " (same protocol, same load)",
                "Each cell: the latency in ms and, in brackets, its ratio to " + baseline.get().label()
                        + " in the same step: below 1.00 is faster than the deep model as served there.",
                new Table(header, rows, 3)));
    }

    /** The driver's closed-loop step with one request in flight. */
    static Optional<Measurement> oneInFlight(ComparisonResult result, ServedModel served, Protocol protocol) {
        return find(result, served, protocol, Measurement.DRIVER, new Load.Closed(1));
    }

    static Optional<Measurement> find(ComparisonResult result, ServedModel served, Protocol protocol,
            String generator, Load load) {
        return result.measurements().stream()
                .filter(m -> m.served().equals(served) && m.protocol() == protocol
                        && m.generator().equals(generator) && m.load().equals(load))
                .findFirst();
    }

    private static String ratioCell(double value, double baseline, LatencySummary summary) {
        return String.format(Locale.ROOT, "%s (%.2f)", millis(value, summary), value / baseline);
    }

    /** Microseconds as milliseconds, to the generator's resolution ("-" where nothing succeeded). */
    static String millis(double micros, LatencySummary summary) {
        if (!Double.isFinite(micros)) {
            return "-";
        }
        return summary.resolutionMicros() >= 1000
                ? String.format(Locale.ROOT, "%.0f", micros / 1000)
                : String.format(Locale.ROOT, "%.3f", micros / 1000);
    }
}
