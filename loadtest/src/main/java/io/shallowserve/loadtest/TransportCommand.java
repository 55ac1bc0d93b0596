package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.Clock;
import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.LoadRunner;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.driver.Target;
import io.shallowserve.loadtest.driver.Transport;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.runtime.exec.Machine;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loadtest transport}: what the transport does under faults of load, in one run, against the real server
 * and optionally a baseline server (another jar, e.g. the release that served gRPC on Helidon):
 * <ol>
 * <li>gRPC batch-1 latency at one request in flight, the servers measured in alternation over several rounds;</li>
 * <li>health (HTTP {@code /v2/health/live} and gRPC ServerLive) probed while batch-64 JSON requests saturate the
 * HTTP port;</li>
 * <li>refusals at ten times the capacity, on both protocols: how fast a request the server cannot queue is told
 * so.</li>
 * </ol>
 * It prints tables and writes them as Markdown; it asserts nothing.
 */
@Command(
        name = "transport",
        mixinStandardHelpOptions = true,
        description = {
            "The transport benchmark: gRPC batch-1 latency (alternating with --baseline), health latency under"
                    + " saturating batch-64 HTTP load, and refusal latency at 10x overload on both protocols."
                    + " About 2 minutes with a baseline on 2 cores."
        })
final class TransportCommand implements Callable<Integer> {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(20);
    private static final int LARGE_BATCH = 64;
    private static final int SATURATING_CLIENTS = 12;
    private static final int OVERLOAD_FACTOR = 10;
    private static final Duration WARM_UP = Duration.ofSeconds(15);

    @Option(names = "--server-jar", defaultValue = "server/target/shallowserve-server.jar",
            description = "the server to measure (default ${DEFAULT-VALUE})")
    private Path serverJar;

    @Option(names = "--baseline",
            description = "a server jar to measure beside it, e.g. one built from commit 5eb6f4b (gRPC on Helidon)")
    private Path baselineJar;

    @Option(names = "--models", defaultValue = "models", description = "model repository (default ${DEFAULT-VALUE})")
    private Path models;

    @Option(names = "--model", defaultValue = "fashion-deep", description = "the model (default ${DEFAULT-VALUE})")
    private String model;

    @Option(names = "--rounds", defaultValue = "5",
            description = "rounds of the alternating latency comparison (default ${DEFAULT-VALUE})")
    private int rounds;

    @Option(names = "--seconds", defaultValue = "4", description = "length of each step (default ${DEFAULT-VALUE})")
    private int seconds;

    @Option(names = "--out", defaultValue = "loadtest/target/transport",
            description = "where the Markdown and the server logs go (default ${DEFAULT-VALUE})")
    private Path out;

    private final PrintStream console = System.out;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out);
        Map<String, Path> jars = new LinkedHashMap<>();
        jars.put("server", serverJar);
        if (baselineJar != null) {
            jars.put("baseline", baselineJar);
        }
        StringBuilder report = new StringBuilder("# Transport benchmark\n\n" + machine() + "\n");
        Map<String, RunningServer> servers = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> jar : jars.entrySet()) {
                console.println("starting " + jar.getKey() + " (" + jar.getValue() + ")");
                servers.put(jar.getKey(), ServerProcess.launcher(jar.getValue(), models, out.resolve(jar.getKey()))
                        .start(models, "single", Batching.OFF, 0, 0));
            }
            report.append(latency(servers));
            for (Map.Entry<String, RunningServer> server : servers.entrySet()) {
                report.append(healthUnderLoad(server.getKey(), server.getValue()));
            }
            for (Map.Entry<String, RunningServer> server : servers.entrySet()) {
                report.append(refusals(server.getKey(), server.getValue()));
            }
        } finally {
            servers.values().forEach(RunningServer::close);
        }
        Path file = out.resolve("transport.md");
        Files.writeString(file, report);
        console.println("\nwritten to " + file);
        return 0;
    }

    private String machine() {
        return String.format(Locale.ROOT, "%s, load average %.2f at the start; model %s, plan single, batching off,"
                        + " %d s steps. Rerun: `bin/loadtest transport%s`.%n", Machine.current(), Machine.loadAverage(),
                model, seconds,
                baselineJar == null ? "" : " --baseline " + baselineJar);
    }

    /** gRPC batch 1, one request in flight, each server in turn, {@link #rounds} times. */
    private String latency(Map<String, RunningServer> servers) throws Exception {
        section("gRPC batch-1 latency at one request in flight, servers in alternation");
        Map<String, List<LatencySummary>> runs = new LinkedHashMap<>();
        Map<String, Target> targets = new LinkedHashMap<>();
        Map<String, Transport> transports = new LinkedHashMap<>();
        for (Map.Entry<String, RunningServer> server : servers.entrySet()) {
            Target target = target(Protocol.GRPC, server.getValue());
            targets.put(server.getKey(), target);
            transports.put(server.getKey(), target.infer(model, "", tensors(target, 1, 256)));
            runs.put(server.getKey(), new ArrayList<>());
        }
        try {
            LoadRunner runner = runner(1);
            // A warm-up each, not recorded: the first rounds of a fresh JVM are several times slower.
            transports.values().forEach(transport -> runner.run(transport, new Load.Closed(1), WARM_UP));
            for (int round = 1; round <= rounds; round++) {
                for (Map.Entry<String, Transport> transport : transports.entrySet()) {
                    LatencySummary summary = runner.run(transport.getValue(), new Load.Closed(1), step());
                    runs.get(transport.getKey()).add(summary);
                    console.printf(Locale.ROOT, "  round %d %-8s p50 %7.1f µs  p99 %7.1f µs  %6.0f/s  errors %d%n",
                            round, transport.getKey(), summary.p50Micros(), summary.p99Micros(),
                            summary.throughput(), summary.errors());
                }
            }
        } finally {
            targets.values().forEach(Target::close);
        }
        StringBuilder table = new StringBuilder("\n## gRPC batch-1 latency, one request in flight\n\n"
                + "| round | " + String.join(" | ", runs.keySet().stream().map(s -> s + " p50 / p99 (µs)").toList())
                + (runs.size() > 1 ? " | server / baseline p50 |" : " |") + "\n|---|"
                + "---:|".repeat(runs.size() + (runs.size() > 1 ? 1 : 0)) + "\n");
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            table.append("| ").append(round + 1).append(" |");
            for (List<LatencySummary> run : runs.values()) {
                table.append(String.format(Locale.ROOT, " %.1f / %.1f |", run.get(round).p50Micros(),
                        run.get(round).p99Micros()));
            }
            if (runs.size() > 1) {
                double ratio = runs.get("server").get(round).p50Micros() / runs.get("baseline").get(round).p50Micros();
                ratios.add(ratio);
                table.append(String.format(Locale.ROOT, " %.2f |", ratio));
            }
            table.append('\n');
        }
        if (!ratios.isEmpty()) {
            List<Double> sorted = ratios.stream().sorted().toList();
            String summary = String.format(Locale.ROOT, "server / baseline p50: median %.2f, range %.2f to %.2f"
                    + " over %d rounds (target: at most 1.05)", sorted.get(sorted.size() / 2), sorted.getFirst(),
                    sorted.getLast(), sorted.size());
            console.println("  " + summary);
            table.append('\n').append(summary).append(".\n");
        }
        return table.toString();
    }

    /**
     * {@link #SATURATING_CLIENTS} closed-loop HTTP clients send batch-64 JSON requests while two probes ask for
     * liveness every {@link #PROBE_INTERVAL}, each waiting for its answer: HTTP {@code /v2/health/live} (what a
     * Kubernetes liveness probe calls) and gRPC ServerLive.
     */
    private String healthUnderLoad(String name, RunningServer server) throws Exception {
        section("health under saturating batch-64 HTTP load: " + name);
        Histogram httpHealth = histogram();
        Histogram grpcHealth = histogram();
        LatencySummary load;
        try (Target http = target(Protocol.HTTP, server); Target httpProbe = target(Protocol.HTTP, server);
                Target grpcProbe = target(Protocol.GRPC, server)) {
            Transport inference = http.infer(model, "", tensors(http, LARGE_BATCH, 16));
            // The same load first, unrecorded: a cold JSON path served about a third fewer requests.
            runner(SATURATING_CLIENTS).run(inference, new Load.Closed(SATURATING_CLIENTS), WARM_UP);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> probes = List.of(
                    probe(httpProbe.noOp(), httpHealth, stop), probe(grpcProbe.noOp(), grpcHealth, stop));
            try {
                load = runner(SATURATING_CLIENTS).run(inference, new Load.Closed(SATURATING_CLIENTS), step());
            } finally {
                stop.set(true);
                for (Thread probe : probes) {
                    probe.join();
                }
            }
        }
        String loadLine = String.format(Locale.ROOT, "%d clients, batch %d JSON: %.0f requests/s (%.0f images/s),"
                        + " p50 %.1f ms, errors %d", SATURATING_CLIENTS, LARGE_BATCH, load.throughput(),
                load.throughput() * LARGE_BATCH, load.p50Micros() / 1000, load.errors());
        console.println("  " + loadLine);
        String table = "\n## Health under saturating batch-64 HTTP load: " + name + "\n\n" + loadLine + ".\n\n"
                + "| probe | answers | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |\n|---|---:|---:|---:|---:|---:|\n"
                + healthRow("HTTP GET /v2/health/live", httpHealth) + healthRow("gRPC ServerLive", grpcHealth)
                + "\nTarget: health p99 at most 50 ms.\n";
        console.print(table);
        return table;
    }

    /**
     * Measures what the server serves at batch 1 and 64 with 8 clients, then offers {@link #OVERLOAD_FACTOR} times
     * that rate as an open loop, on each protocol, and times the refusals (RESOURCE_EXHAUSTED, HTTP 503) from send
     * to answer.
     */
    private String refusals(String name, RunningServer server) throws Exception {
        section("refusals at " + OVERLOAD_FACTOR + "x overload: " + name);
        StringBuilder table = new StringBuilder("\n## Refusals at " + OVERLOAD_FACTOR + "x overload: " + name
                + "\n\n| protocol | batch | capacity (requests/s) | offered (requests/s) | served | refused |"
                + " other errors | refusal p50 (ms) | refusal p99 (ms) | refusal max (ms) | served p99 (ms) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Protocol protocol : Protocol.frontEnds()) {
            for (int batch : new int[] {1, LARGE_BATCH}) {
                table.append(overload(server, protocol, batch));
            }
        }
        table.append("\nTarget: refusal p99 at most 20 ms.\n");
        return table.toString();
    }

    /** One row of the refusals table: {@code protocol} at {@code batch} images per request. */
    private String overload(RunningServer server, Protocol protocol, int batch) throws Exception {
        try (Target target = target(protocol, server)) {
            Transport inference = target.infer(model, "", tensors(target, batch, 16));
            double capacity = runner(8).run(inference, new Load.Closed(8), step()).throughput();
            double offered = capacity * OVERLOAD_FACTOR;
            Histogram refusals = histogram();
            LatencySummary overload = runner(4096).run(timingRefusals(inference, refusals), new Load.Open(offered),
                    step());
            long refused = refusals.getTotalCount();
            String row = String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %d | %d | %d | %s | %s | %s | %.1f |%n",
                    protocol.name().toLowerCase(Locale.ROOT), batch, capacity, offered,
                    overload.requests() - overload.errors(), refused, overload.errors() - refused,
                    millis(refusals, 50), millis(refusals, 99), millis(refusals, 100), overload.p99Micros() / 1000);
            console.print("  " + row);
            return row;
        }
    }

    /** Sends through {@code inner} and records, from each send, how long a refusal took. */
    private static Transport timingRefusals(Transport inner, Histogram refusals) {
        return (sequence, done) -> {
            long sent = System.nanoTime();
            inner.send(sequence, error -> {
                if (error != null && (error.startsWith("RESOURCE_EXHAUSTED") || error.equals("HTTP 503"))) {
                    refusals.recordValue(Math.max(System.nanoTime() - sent, 1));
                }
                done.complete(error);
            });
        };
    }

    /** A virtual thread that sends through {@code transport}, waits for the answer, records it, then pauses. */
    private static Thread probe(Transport transport, Histogram latencies, AtomicBoolean stop) {
        return Thread.ofVirtual().name("health-probe").start(() -> {
            for (long sequence = 0; !stop.get(); sequence++) {
                CompletableFuture<String> answer = new CompletableFuture<>();
                long sent = System.nanoTime();
                transport.send(sequence, answer::complete);
                try {
                    answer.get(CALL_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
                    latencies.recordValue(Math.max(System.nanoTime() - sent, 1));
                    Thread.sleep(PROBE_INTERVAL);
                } catch (Exception e) {
                    // Unanswered within the call timeout: recorded as that long.
                    latencies.recordValue(CALL_TIMEOUT.toNanos());
                }
            }
        });
    }

    private static String healthRow(String probe, Histogram latencies) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", probe, latencies.getTotalCount(),
                millis(latencies, 50), millis(latencies, 90), millis(latencies, 99), millis(latencies, 100));
    }

    private static String millis(Histogram latencies, double percentile) {
        return latencies.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.2f",
                latencies.getValueAtPercentile(percentile) / 1e6);
    }

    private static Histogram histogram() {
        return new ConcurrentHistogram(1_000, TimeUnit.MINUTES.toNanos(2), 3);
    }

    private List<Tensor> tensors(Target target, int batch, int count) throws Exception {
        ModelInput input = target.input(model, "");
        return ImageSet.read(ImageSet.defaultTestImages(), batch * count, input).batches(input, batch, count);
    }

    private static Target target(Protocol protocol, RunningServer server) {
        return Target.connect(protocol, server.host(), server.port(protocol), CALL_TIMEOUT);
    }

    private static LoadRunner runner(int maxInFlight) {
        return new LoadRunner(Clock.SYSTEM, maxInFlight, CALL_TIMEOUT);
    }

    private Duration step() {
        return Duration.ofSeconds(seconds);
    }

    private void section(String title) {
        console.println("\n== " + title);
    }
}
