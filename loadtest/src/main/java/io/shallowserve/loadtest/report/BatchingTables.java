package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.runtime.report.Table;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The batching comparison's tables: capacity at the p99 target, one request in flight, the closed loop at
 * saturation, the capacity search's steps.
 */
final class BatchingTables {

    private BatchingTables() {}

    /** The highest rate that met the target, per model, plan and batching, with that step's numbers. */
    static TitledTable capacity(ComparisonResult result) {
        BatchingComparison batching = result.batching();
        double target = batching.p99TargetMicros();
        List<List<String>> rows = new ArrayList<>();
        for (ServedModel served : result.served()) {
            Optional<BatchingStep> off = found(search(batching, served, Batching.OFF), target);
            for (Batching variant : variants(batching)) {
                List<BatchingStep> search = search(batching, served, variant);
                if (search.isEmpty()) {
                    continue;
                }
                Optional<BatchingStep> found = found(search, target);
                List<String> row = new ArrayList<>(List.of(served.model(), served.plan(), variant.label(),
                        rateCell(search, found)));
                if (found.isPresent()) {
                    LatencySummary s = found.get().summary();
                    row.addAll(List.of(whole(s.throughput()), ReportTables.millis(s.p50Micros(), s),
                            ReportTables.millis(s.p99Micros(), s), batchSize(found.get().meanBatchSize()),
                            off.isPresent() ? String.format(Locale.ROOT, "%.2f",
                                    rate(found.get()) / rate(off.get())) : "-"));
                } else {
                    row.addAll(List.of("-", "-", "-", "-", "-"));
                }
                rows.add(row);
            }
        }
        return new TitledTable("Throughput at p99 <= " + milliseconds(target) + " ms, batching off and on",
                "The capacity search (gRPC, open loop, driver): the highest offered rate whose p99 stayed at or under "
                        + milliseconds(target) + " ms with no failed request; \">=\": the search's ceiling met the"
                        + " target, \"<\": every rate it tried missed, down to its floor. Throughput, p50, p99 and"
                        + " the mean batch (images per execution, from the server's statistics over that step) are"
                        + " the step at that rate."
                        + " against off: that rate over the rate found with batching off.",
                new Table(List.of("model", "plan", "batching", "rate/s", "throughput/s", "p50 ms", "p99 ms",
                        "mean batch", "against off"), rows, 3));
    }

    /** One request in flight with batching off and on: what batching costs when there is nothing to batch. */
    static TitledTable oneInFlight(ComparisonResult result) {
        BatchingComparison batching = result.batching();
        Batching on = batching.batching();
        double delay = on.maxQueueDelayMicros();
        List<List<String>> rows = new ArrayList<>();
        for (ServedModel served : result.served()) {
            Optional<BatchingStep> off = closed(batching, served, Batching.OFF, 1);
            Optional<BatchingStep> batched = closed(batching, served, on, 1);
            if (off.isEmpty() || batched.isEmpty()) {
                continue;
            }
            LatencySummary a = off.get().summary();
            LatencySummary b = batched.get().summary();
            double p50Difference = b.p50Micros() - a.p50Micros();
            rows.add(List.of(served.model(), served.plan(),
                    ReportTables.millis(a.p50Micros(), a), ReportTables.millis(b.p50Micros(), b),
                    ReportTables.millis(p50Difference, b),
                    ReportTables.millis(a.p99Micros(), a), ReportTables.millis(b.p99Micros(), b),
                    ReportTables.millis(b.p99Micros() - a.p99Micros(), b),
                    ReportTables.millis(delay, b), p50Difference <= delay ? "yes" : "no"));
        }
        return new TitledTable("One request in flight, batching off and on",
                "gRPC, closed loop with 1 in flight (driver), on the server with batching off and on ("
                        + on.label() + "), in turn. With one request in flight there is nothing to batch: batching"
                        + " on may wait up to its queue delay for a second request that does not come, and should"
                        + " cost no more than that delay. The p99 of a short step on a shared machine is noisier"
                        + " than the p50.",
                new Table(List.of("model", "plan", "off p50 ms", "on p50 ms", "on - off p50 ms", "off p99 ms",
                        "on p99 ms", "on - off p99 ms", "delay ms", "p50 within the delay"), rows, 2));
    }

    /**
     * The closed loop at its most requests in flight, batching off and on: where the instances are always busy and
     * the batcher has the most to merge.
     */
    static TitledTable saturation(ComparisonResult result) {
        BatchingComparison batching = result.batching();
        List<List<String>> rows = new ArrayList<>();
        int inFlight = 0;
        for (ServedModel served : result.served()) {
            Optional<BatchingStep> off = saturated(batching, served, Batching.OFF);
            for (Batching variant : variants(batching)) {
                Optional<BatchingStep> step = saturated(batching, served, variant);
                if (step.isEmpty()) {
                    continue;
                }
                LatencySummary s = step.get().summary();
                inFlight = (int) step.get().load().level();
                rows.add(List.of(served.model(), served.plan(), variant.label(), Long.toString(s.errors()),
                        ReportTables.millis(s.p50Micros(), s), ReportTables.millis(s.p99Micros(), s),
                        whole(s.throughput()), batchSize(step.get().meanBatchSize()),
                        off.isPresent() ? String.format(Locale.ROOT, "%.2f",
                                s.throughput() / off.get().summary().throughput()) : "-"));
            }
        }
        return new TitledTable("Saturated: " + inFlight + " requests in flight, batching off and on",
                "gRPC, closed loop (driver) with the comparison's most requests in flight: every instance is busy all"
                        + " the time, so the batcher merges whatever queued meanwhile. against off: throughput over"
                        + " the throughput with batching off.",
                new Table(List.of("model", "plan", "batching", "errors", "p50 ms", "p99 ms", "throughput/s",
                        "mean batch", "against off"), rows, 3));
    }

    /** Every step of every capacity search, each search in the order it ran. */
    static TitledTable searchSteps(ComparisonResult result) {
        BatchingComparison batching = result.batching();
        List<List<String>> rows = new ArrayList<>();
        for (ServedModel served : result.served()) {
            for (Batching variant : variants(batching)) {
                for (BatchingStep step : search(batching, served, variant)) {
                    LatencySummary s = step.summary();
                    rows.add(List.of(served.model(), served.plan(), variant.label(), step.load().label(),
                            Long.toString(s.requests()), Long.toString(s.errors()),
                            ReportTables.millis(s.p50Micros(), s), ReportTables.millis(s.p99Micros(), s),
                            whole(s.throughput()), batchSize(step.meanBatchSize()),
                            step.meets(batching.p99TargetMicros()) ? "met" : "missed"));
                }
            }
        }
        return new TitledTable("Capacity search steps",
                "Every rate each search tried, in the order it tried them: from its start by a constant factor, up"
                        + " while the rates met the target and down while they missed it, until the first change;"
                        + " then bisecting between the highest rate met and the lowest missed. gRPC, open loop,"
                        + " driver; latencies in milliseconds.",
                new Table(List.of("model", "plan", "batching", "load", "requests", "errors", "p50 ms", "p99 ms",
                        "throughput/s", "mean batch", "target"), rows, 4));
    }

    /** Batching off, then the comparison's batching on. */
    static List<Batching> variants(BatchingComparison batching) {
        return List.of(Batching.OFF, batching.batching());
    }

    /** The capacity search's steps of one model and plan with one batching, in the order they ran. */
    static List<BatchingStep> search(BatchingComparison batching, ServedModel served, Batching variant) {
        return batching.steps().stream()
                .filter(s -> s.served().equals(served) && s.batching().equals(variant) && s.load() instanceof Load.Open)
                .toList();
    }

    private static Optional<BatchingStep> closed(BatchingComparison batching, ServedModel served, Batching variant,
            int inFlight) {
        return batching.steps().stream()
                .filter(s -> s.served().equals(served) && s.batching().equals(variant)
                        && s.load().equals(new Load.Closed(inFlight)))
                .findFirst();
    }

    /** The closed-loop step with more than one request in flight, if the comparison ran one. */
    private static Optional<BatchingStep> saturated(BatchingComparison batching, ServedModel served,
            Batching variant) {
        return batching.steps().stream()
                .filter(s -> s.served().equals(served) && s.batching().equals(variant)
                        && s.load() instanceof Load.Closed closed && closed.level() > 1)
                .findFirst();
    }

    /** The step at the highest rate that met the target. */
    private static Optional<BatchingStep> found(List<BatchingStep> search, double p99TargetMicros) {
        return search.stream().filter(s -> s.meets(p99TargetMicros))
                .max(Comparator.comparingDouble(BatchingTables::rate));
    }

    /** "2828"; ">= 8000" when the highest rate tried met the target (the ceiling); "< 1000" when none did. */
    private static String rateCell(List<BatchingStep> search, Optional<BatchingStep> found) {
        if (found.isEmpty()) {
            return "< " + whole(search.stream().mapToDouble(BatchingTables::rate).min().orElseThrow());
        }
        double highest = search.stream().mapToDouble(BatchingTables::rate).max().orElseThrow();
        return (rate(found.get()) == highest ? ">= " : "") + whole(rate(found.get()));
    }

    /** The offered rate of a capacity search step. */
    private static double rate(BatchingStep step) {
        return step.load().level();
    }

    private static String whole(double value) {
        return String.format(Locale.ROOT, "%.0f", value);
    }

    /** "1.42"; "-" where the server ran no execution. */
    private static String batchSize(double meanBatchSize) {
        return Double.isFinite(meanBatchSize) ? String.format(Locale.ROOT, "%.2f", meanBatchSize) : "-";
    }

    /** "5", "2.5": a target in milliseconds, as given. */
    static String milliseconds(double micros) {
        return BigDecimal.valueOf(micros / 1000).stripTrailingZeros().toPlainString();
    }
}
