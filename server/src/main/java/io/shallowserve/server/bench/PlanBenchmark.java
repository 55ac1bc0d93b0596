package io.shallowserve.server.bench;

import ai.onnxruntime.OrtException;
import io.shallowserve.server.exec.BranchesPlan;
import io.shallowserve.server.exec.ExecutionPlan;
import io.shallowserve.server.exec.SessionFactory;
import io.shallowserve.server.exec.SinglePlan;
import io.shallowserve.server.inference.EngineConfig;
import io.shallowserve.server.repository.ModelRepository;
import io.shallowserve.server.repository.ModelVersion;
import io.shallowserve.server.repository.ModelVersionException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * In-process latency of deep-single, shallow-single and shallow-branches at batch 1 and 8 on the default models,
 * one caller, no server around it. The three plans run in alternation (one run of each per round), so that a
 * noisy neighbour or a frequency change slows them alike and the ratios stay fair. Sessions are configured as
 * {@link EngineConfig#defaults} would configure them on this machine.
 *
 * <pre>
 * PlanBenchmark [--models models] [--out result.md] [--warmup 500] [--runs 5000]
 * </pre>
 */
public final class PlanBenchmark {

    private static final int[] BATCHES = {1, 8};

    private PlanBenchmark() {}

    /** One plan on one model, timed at one batch size; {@code branchNanos} holds every branch session's time. */
    private record Case(String label, ExecutionPlan plan, int batch, long[] nanos, List<Long> branchNanos) {}

    /** Latency percentiles of one case, in microseconds. */
    private record Summary(String label, int batch, double p50, double p90, double p99, double max,
            double branchP50) {
        static Summary of(Case c) {
            long[] sorted = c.nanos().clone();
            Arrays.sort(sorted);
            long[] branches = c.branchNanos().stream().mapToLong(Long::longValue).sorted().toArray();
            return new Summary(c.label(), c.batch(), percentile(sorted, 0.50), percentile(sorted, 0.90),
                    percentile(sorted, 0.99), sorted[sorted.length - 1] / 1000.0,
                    branches.length == 0 ? Double.NaN : percentile(branches, 0.50));
        }

        private static double percentile(long[] sorted, double p) {
            int index = (int) Math.ceil(p * sorted.length) - 1;
            return sorted[Math.max(0, index)] / 1000.0;
        }
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of("models");
        Path out = null;
        int warmup = 500;
        int runs = 5000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models" -> models = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: PlanBenchmark [--models models] [--out result.md] [--warmup 500]"
                            + " [--runs 5000]");
                    System.exit(2);
                }
            }
        }
        String report = run(models, warmup, runs, String.join(" ", args));
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    static String run(Path models, int warmup, int runs, String arguments)
            throws ModelVersionException, OrtException, IOException {
        EngineConfig config = EngineConfig.defaults(models);
        SessionFactory sessions = new SessionFactory("cpu");
        ModelVersion deep = verify(models, "fashion-deep");
        ModelVersion shallow = verify(models, "fashion-shallow");
        ExecutorService branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("bench-branch-", 0).daemon(true).factory());
        List<ExecutionPlan> plans = new ArrayList<>();
        try {
            plans.add(new SinglePlan(sessions, deep, config.intraOpThreads()));
            plans.add(new SinglePlan(sessions, shallow, config.intraOpThreads()));
            plans.add(new BranchesPlan(sessions, shallow, branchPool, config.intraOpThreads()));
            String[] labels = {"deep-single", "shallow-single", "shallow-branches"};
            List<Summary> summaries = new ArrayList<>();
            for (int batch : BATCHES) {
                float[] pixels = randomPixels(batch * deep.imageSize());
                List<Case> cases = new ArrayList<>();
                for (int p = 0; p < plans.size(); p++) {
                    cases.add(new Case(labels[p], plans.get(p), batch, new long[runs], new ArrayList<>()));
                }
                measure(cases, pixels, warmup, runs);
                cases.forEach(c -> summaries.add(Summary.of(c)));
            }
            return report(summaries, config, sessions, deep, shallow, warmup, runs, arguments);
        } finally {
            plans.forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }

    private static void measure(List<Case> cases, float[] pixels, int warmup, int runs) throws OrtException {
        for (int i = 0; i < warmup; i++) {
            for (Case c : cases) {
                c.plan().run(pixels, c.batch());
            }
        }
        for (int i = 0; i < runs; i++) {
            for (Case c : cases) {
                long start = System.nanoTime();
                long[] branchNanos = c.plan().run(pixels, c.batch()).branchNanos();
                c.nanos()[i] = System.nanoTime() - start;
                for (long nanos : branchNanos) {
                    c.branchNanos().add(nanos);
                }
            }
        }
    }

    private static String report(List<Summary> summaries, EngineConfig config, SessionFactory sessions,
            ModelVersion deep, ModelVersion shallow, int warmup, int runs, String arguments) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("## Plan benchmark, ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        md.append("- command: `bin/bench ").append(arguments).append("`\n");
        md.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(cpuModel()).append(", ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.arch")).append(", load average at the end ").append(loadAverage())
                .append('\n');
        md.append("- JDK ").append(Runtime.version()).append(" (").append(System.getProperty("java.vendor"))
                .append("), ONNX Runtime ").append(sessions.runtimeVersion()).append(", CPU\n");
        md.append("- models: ").append(describe(deep)).append("; ").append(describe(shallow)).append('\n');
        md.append("- sessions: intra-op threads ").append(config.intraOpThreads())
                .append(" (single, stem, head), 1 per branch session; branch pool ").append(config.branchThreads())
                .append(" platform threads\n");
        md.append("- one caller, ").append(warmup).append(" warm-up and ").append(runs)
                .append(" timed runs per case, the three plans in alternation; random pixels in [0, 1)\n\n");
        md.append("| plan | batch | p50 µs | p90 µs | p99 µs | max µs |\n|---|---:|---:|---:|---:|---:|\n");
        for (Summary s : summaries) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", s.label(), s.batch(),
                    s.p50(), s.p90(), s.p99(), s.max()));
        }
        md.append("\nMedian time of one branch session inside shallow-branches (the caller or a pool thread"
                + " running it, output copied out):");
        for (Summary s : summaries) {
            if (!Double.isNaN(s.branchP50())) {
                md.append(String.format(Locale.ROOT, " batch %d: %.1f µs;", s.batch(), s.branchP50()));
            }
        }
        md.setLength(md.length() - 1);
        md.append(".\n");
        md.append("\nRatios to deep-single in the same run (below 1 = faster than deep):\n\n");
        md.append("| plan | batch | p50 ratio | p99 ratio |\n|---|---:|---:|---:|\n");
        for (int batch : BATCHES) {
            Summary deepSingle = find(summaries, "deep-single", batch);
            for (String label : List.of("shallow-single", "shallow-branches")) {
                Summary s = find(summaries, label, batch);
                md.append(String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f |%n", label, batch,
                        s.p50() / deepSingle.p50(), s.p99() / deepSingle.p99()));
            }
        }
        return md.toString();
    }

    private static Summary find(List<Summary> summaries, String label, int batch) {
        return summaries.stream().filter(s -> s.label().equals(label) && s.batch() == batch).findFirst()
                .orElseThrow();
    }

    private static String describe(ModelVersion model) {
        var spec = model.manifest().architecture();
        return model.name() + "/" + model.version() + " (" + model.manifest().shape() + ", " + spec.units()
                + " units of width " + spec.width() + ", " + model.manifest().parameters() + " parameters)";
    }

    private static ModelVersion verify(Path models, String name) throws ModelVersionException {
        return ModelRepository.verify(new ModelRepository.VersionFolder(name, 1, models.resolve(name).resolve("1")));
    }

    private static float[] randomPixels(int count) {
        SplittableRandom random = new SplittableRandom(1);
        float[] pixels = new float[count];
        for (int i = 0; i < count; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        return pixels;
    }

    /** The 1-minute load average: on a shared machine, how many others wanted the cores meanwhile. */
    private static String loadAverage() throws IOException {
        Path loadavg = Path.of("/proc/loadavg");
        return Files.isReadable(loadavg) ? Files.readString(loadavg).split(" ")[0] : "unknown";
    }

    private static String cpuModel() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "unknown CPU";
        }
        try (Stream<String> lines = Files.lines(cpuinfo)) {
            return lines.filter(line -> line.startsWith("model name")).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("unknown CPU");
        }
    }
}
