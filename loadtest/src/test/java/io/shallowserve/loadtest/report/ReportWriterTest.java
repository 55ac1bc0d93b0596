package io.shallowserve.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.runtime.exec.Machine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's files and tables, from made-up results. */
class ReportWriterTest {

    private static final ServedModel DEEP = new ServedModel("deep", "deep", "single");
    private static final ServedModel SHALLOW = new ServedModel("shallow", "shallow", "branches");
    private static final ServedModel DEEP_AUTO = new ServedModel("deep", "deep", "auto");
    private static final ServedModel WIDE = new ServedModel("shallow", "shallow", "wide");
    private static final Batching ON = Batching.on(500);

    @TempDir
    Path folder;

    /** A summary whose percentiles are p50, 2*p50, 3*p50, 4*p50 microseconds. */
    private static LatencySummary summary(double p50, double resolution) {
        return new LatencySummary(100, 0, Map.of(), 1, p50, 2 * p50, 3 * p50, 4 * p50, 100, resolution,
                List.of(new LatencySummary.CdfPoint(p50, 0.5), new LatencySummary.CdfPoint(4 * p50, 1)));
    }

    /** A batching step whose percentiles are those of {@link #summary} with this p50. */
    private static BatchingStep step(ServedModel served, Batching batching, Load load, double p50,
            double meanBatchSize) {
        return new BatchingStep(served, batching, load, summary(p50, 1), meanBatchSize);
    }

    /** Deep at 32 in flight: percentiles as {@link #summary}, and a throughput of its own. */
    private static BatchingStep saturated(Batching batching, double p50, double throughput, double meanBatchSize) {
        LatencySummary s = summary(p50, 1);
        return new BatchingStep(DEEP, batching, new Load.Closed(32), new LatencySummary(s.requests(), 0, Map.of(),
                s.seconds(), s.p50Micros(), s.p90Micros(), s.p99Micros(), s.maxMicros(), throughput, 1, s.cdf()),
                meanBatchSize);
    }

    /**
     * With a p99 target of 5 ms (p50 up to 1.667 ms here): deep meets it up to 1000/s with batching off and up to
     * 2000/s with it on; shallow misses it from the start with batching off and meets it up to the ceiling with it
     * on.
     */
    private static BatchingComparison batching() {
        return new BatchingComparison(ON, 5000, 1, List.of(
                step(DEEP, Batching.OFF, new Load.Closed(1), 400, 1),
                step(DEEP, ON, new Load.Closed(1), 650, 1),
                step(SHALLOW, Batching.OFF, new Load.Closed(1), 500, 1),
                step(SHALLOW, ON, new Load.Closed(1), 1200, 1),
                saturated(Batching.OFF, 4000, 4000, 1),
                saturated(ON, 3000, 5000, 6.5),
                step(DEEP, Batching.OFF, new Load.Open(500), 300, 1),
                step(DEEP, ON, new Load.Open(500), 300, 1),
                step(SHALLOW, Batching.OFF, new Load.Open(500), 2000, 1),
                step(SHALLOW, ON, new Load.Open(500), 300, 1),
                step(DEEP, Batching.OFF, new Load.Open(1000), 400, 1),
                step(DEEP, ON, new Load.Open(1000), 350, 1.2),
                step(SHALLOW, ON, new Load.Open(1000), 400, 1),
                step(DEEP, Batching.OFF, new Load.Open(2000), 5000, 1),
                step(DEEP, ON, new Load.Open(2000), 600, 1.8),
                step(DEEP, ON, new Load.Open(4000), 3000, 3.5)));
    }

    /**
     * Three rounds. Batch 1: deep under single is the faster deep (medians 500 against 550 µs); wide takes 0.8, 0.9
     * and 1.0 of it round by round, branches twice. Batch 8: deep under auto is the faster (1600 against 2200);
     * wide takes 1.0, 1.0 and 1.1 of it.
     */
    private static List<RoundStep> rounds() {
        Map<ServedModel, double[]> batch1 = Map.of(DEEP, new double[] {500, 600, 400},
                DEEP_AUTO, new double[] {550, 650, 450}, WIDE, new double[] {400, 540, 400},
                SHALLOW, new double[] {1000, 1200, 800});
        Map<ServedModel, double[]> batch8 = Map.of(DEEP, new double[] {2000, 2200, 2400},
                DEEP_AUTO, new double[] {1500, 1600, 1700}, WIDE, new double[] {1500, 1600, 1870},
                SHALLOW, new double[] {3000, 3200, 3400});
        List<RoundStep> steps = new ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            for (ServedModel served : List.of(DEEP, DEEP_AUTO, WIDE, SHALLOW)) {
                steps.add(new RoundStep(served, 1, round, summary(batch1.get(served)[round - 1], 1)));
            }
            for (ServedModel served : List.of(DEEP, DEEP_AUTO, WIDE, SHALLOW)) {
                steps.add(new RoundStep(served, 8, round, summary(batch8.get(served)[round - 1], 1)));
            }
        }
        return steps;
    }

    private static ComparisonResult result() {
        List<Measurement> measurements = new ArrayList<>();
        for (ServedModel served : List.of(DEEP, SHALLOW)) {
            double factor = served == DEEP ? 1 : 2;
            for (Load load : List.of(new Load.Closed(1), new Load.Closed(8), new Load.Open(100), new Load.Open(400))) {
                measurements.add(new Measurement(served, Protocol.GRPC, Measurement.DRIVER, load,
                        summary(factor * 500, 1)));
            }
            measurements.add(new Measurement(served, Protocol.HTTP, Measurement.DRIVER, new Load.Closed(1),
                    summary(factor * 600, 1)));
            measurements.add(new Measurement(served, Protocol.HTTP, Measurement.GATLING, new Load.Open(100),
                    summary(factor * 1000, 1000)));
        }
        RunInfo run = new RunInfo("2026-11-25T10:00:00Z", "bin/loadtest compare --quick", "quick",
                new Machine(2, "a CPU", "Linux amd64", "25", "1.29.0"), 1.0, 2.0, 2, 1, "images.gz", 60, List.of());
        return new ComparisonResult(run, List.of(DEEP, SHALLOW), rounds(),
                List.of(new Floors.Compute(DEEP, summary(150, 1)), new Floors.Compute(SHALLOW, summary(220, 1))),
                List.of(new Floors.NoOp("single", Protocol.GRPC, summary(250, 1)),
                        new Floors.NoOp("single", Protocol.HTTP, summary(200, 1)),
                        new Floors.NoOp("branches", Protocol.GRPC, summary(260, 1)),
                        new Floors.NoOp("branches", Protocol.HTTP, summary(210, 1))),
                measurements, batching(), List.of("gatling/run/index.html"));
    }

    @Test
    void write_markdown_hasEveryTableAndStep() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Floors and server overhead", "## Latency under load",
                "## Against deep / single");
        assertThat(md).contains("| deep | single | gRPC | driver | closed 8 | 100 | 0 | 0.500 | 1.000 | 1.500 | 2.000 | 100 |");
        assertThat(md).contains("| shallow | branches | HTTP | Gatling | open 100/s | 100 | 0 | 2 | 4 | 6 | 8 | 100 |");
        assertThat(md).contains("(plots/grpc-latency-vs-load.svg)", "(gatling/run/index.html)");
    }

    @Test
    void write_rounds_areRatiosToTheFasterDeepRoundByRound() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Deep against shallow, every plan, in rounds");
        assertThat(md).contains("| 1 | deep | single | 3 | 0.500 (0.400–0.600) | 1.500 | baseline | 0.150 | 1.00 |",
                "| 1 | deep | auto | 3 | 0.550 (0.450–0.650) | 1.650 | 1.10 (1.08–1.13) | - | - |",
                "| 1 | shallow | wide | 3 | 0.400 (0.400–0.540) | 1.200 | 0.90 (0.80–1.00) | - | - |",
                "| 1 | shallow | branches | 3 | 1.000 (0.800–1.200) | 3.000 | 2.00 (2.00–2.00) | 0.220 | 1.47 |",
                "| 8 | deep | auto | 3 | 1.600 (1.500–1.700) | 4.800 | baseline | - | - |",
                "| 8 | shallow | wide | 3 | 1.600 (1.500–1.870) | 4.800 | 1.00 (1.00–1.10) | - | - |");
        assertThat(ReportWriter.headline(result())).containsExactly(
                "batch 1: shallow / wide takes 0.90x (0.80–1.00) the time of deep / single (gRPC p50, one request in"
                        + " flight; median and range over 3 rounds)",
                "batch 8: shallow / wide takes 1.00x (1.00–1.10) the time of deep / auto (gRPC p50, one request in"
                        + " flight; median and range over 3 rounds)");
        assertThat(md).contains("- rounds: 3, each a step of 1.0 s per served model and batch size (1, 8 images per"
                + " request)", "- headline, batch 1: shallow / wide takes 0.90x");
    }

    @Test
    void write_overhead_isEndToEndLessComputeLessNoOp() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        // deep over gRPC: 0.500 - 0.150 - 0.250; shallow over HTTP: 1.200 - 0.220 - 0.210.
        assertThat(md).contains("| deep | single | gRPC | 0.150 | 0.450 | 0.250 | 0.500 | 1.500 | 0.100 |");
        assertThat(md).contains("| shallow | branches | HTTP | 0.220 | 0.660 | 0.210 | 1.200 | 3.600 | 0.770 |");
    }

    @Test
    void write_ratios_areAgainstTheDeepModelOnOneSession() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("| gRPC | driver | open 400/s | 0.500 | 1.000 (2.00) | 1.500 | 3.000 (2.00) |");
    }

    @Test
    void write_capacity_isTheHighestRateThatMetTheTargetWithItsStep() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Throughput at p99 <= 5 ms, batching off and on");
        assertThat(md).contains("| deep | single | off | 1000 | 100 | 0.400 | 1.200 | 1.00 | 1.00 |",
                "| deep | single | on, 500 µs | 2000 | 100 | 0.600 | 1.800 | 1.80 | 2.00 |");
        // Nothing met: below the first rate. The ceiling met: at least that.
        assertThat(md).contains("| shallow | branches | off | < 500 | - | - | - | - | - |",
                "| shallow | branches | on, 500 µs | >= 1000 | 100 | 0.400 | 1.200 | 1.00 | - |");
    }

    @Test
    void write_oneInFlight_setsTheDifferenceAgainstTheDelay() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## One request in flight, batching off and on");
        assertThat(md).contains("| deep | single | 0.400 | 0.650 | 0.250 | 1.200 | 1.950 | 0.750 | 0.500 | yes |",
                "| shallow | branches | 0.500 | 1.200 | 0.700 | 1.500 | 3.600 | 2.100 | 0.500 | no |");
    }

    @Test
    void write_saturation_comparesThroughputWithBatchingOff() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Saturated: 32 requests in flight, batching off and on");
        assertThat(md).contains("| deep | single | off | 0 | 4.000 | 12.000 | 4000 | 1.00 | 1.00 |",
                "| deep | single | on, 500 µs | 0 | 3.000 | 9.000 | 5000 | 6.50 | 1.25 |");
        assertThat(md).doesNotContain("| shallow | branches | off | 0 | 0.500");
    }

    @Test
    void write_searchSteps_listEachSearchInTheOrderItRan() throws IOException {
        ReportWriter.write(result(), folder);

        String md = Files.readString(folder.resolve(ReportWriter.MARKDOWN));
        assertThat(md).contains("## Capacity search steps", """
                | deep | single | on, 500 µs | open 500/s | 100 | 0 | 0.300 | 0.900 | 100 | 1.00 | met |
                | deep | single | on, 500 µs | open 1000/s | 100 | 0 | 0.350 | 1.050 | 100 | 1.20 | met |
                | deep | single | on, 500 µs | open 2000/s | 100 | 0 | 0.600 | 1.800 | 100 | 1.80 | met |
                | deep | single | on, 500 µs | open 4000/s | 100 | 0 | 3.000 | 9.000 | 100 | 3.50 | missed |
                """);
    }

    @Test
    void write_html_isSelfContainedWithInlinePlots() throws IOException {
        ReportWriter.write(result(), folder);

        String html = Files.readString(folder.resolve(ReportWriter.HTML));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<table>", "deep / single", "shallow / branches");
        assertThat(html.split("<svg ", -1)).hasSize(Charts.all(result()).size() + 1);
        assertThat(Charts.all(result())).extracting(Charts.Chart::file).contains("grpc-latency-vs-load.svg",
                "http-latency-vs-load.svg", "grpc-throughput-vs-concurrency.svg", "grpc-cdf-one-in-flight.svg",
                "grpc-cdf-highest-rate.svg", "grpc-rounds-against-deep.svg", "grpc-capacity-deep-single.svg",
                "grpc-capacity-shallow-branches.svg");
        assertThat(html).contains("deep / single: gRPC p99 against offered rate, batching off and on",
                "p99 target 5 ms");
        assertThat(html).doesNotContain("<script", "src=\"http", "href=\"http");
    }

    @Test
    void write_json_holdsEveryMeasurement() throws IOException {
        Files.createDirectories(folder.resolve("plots"));
        // A plot of an earlier run, of a plan this run did not serve: replaced by this run's eight.
        Files.writeString(folder.resolve("plots").resolve("grpc-capacity-an-earlier-plan.svg"), "<svg/>");

        ReportWriter.write(result(), folder);

        var json = JsonParser.parseString(Files.readString(folder.resolve(ReportWriter.JSON))).getAsJsonObject();
        assertThat(json.getAsJsonArray("measurements")).hasSize(12);
        assertThat(json.getAsJsonObject("batching").getAsJsonArray("steps")).hasSize(16);
        assertThat(json.getAsJsonObject("batching").get("p99TargetMicros").getAsDouble()).isEqualTo(5000);
        assertThat(json.getAsJsonArray("rounds")).hasSize(24);
        assertThat(Files.list(folder.resolve("plots"))).hasSize(8);
    }
}
