package io.shallowserve.server.bench;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.RandomTensors;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.inference.EngineConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What model_warmup buys: on sessions just opened as the server opens them, the latency of a version's first run (the
 * first request after a load without warm-up), of its second (the first request after a warm-up sample of one run)
 * and of the runs after those (the median of {@code --runs}). The default models at batch 1, a fresh load per round,
 * deep and shallow in alternation, one plan; percentiles over the rounds, ratios to the settled median in the same
 * round.
 *
 * <pre>
 * WarmupBenchmark [--models models] [--plan single] [--rounds 20] [--runs 200]
 * </pre>
 */
public final class WarmupBenchmark {

    private static final List<String> MODELS = List.of("fashion-deep", "fashion-shallow");

    private WarmupBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path models = Path.of("models");
        PlanChoice plan = PlanChoice.SINGLE;
        int rounds = 20;
        int runs = 200;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models" -> models = Path.of(args[++i]);
                case "--plan" -> plan = PlanChoice.valueOf(args[++i].toUpperCase(Locale.ROOT));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: WarmupBenchmark [--models models] [--plan single] [--rounds 20]"
                            + " [--runs 200]");
                    System.exit(2);
                }
            }
        }
        System.out.print(run(models, plan, rounds, runs, String.join(" ", args)));
    }

    static String run(Path models, PlanChoice plan, int rounds, int runs, String arguments)
            throws ModelVersionException, OrtException {
        EngineConfig config = EngineConfig.defaults(models);
        long[][] first = new long[MODELS.size()][rounds];
        long[][] second = new long[MODELS.size()][rounds];
        long[][] settled = new long[MODELS.size()][rounds];
        ExecutorService branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("warmup-bench-branch-", 0).daemon(true).factory());
        try {
            PlanLoader loader = new PlanLoader(new SessionFactory("cpu"), branchPool, config.intraOpThreads());
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < MODELS.size(); m++) {
                    ModelVersion version = ModelRepository.verify(models.resolve(MODELS.get(m)).resolve("1"));
                    ExecutionPlan instance = loader.load(version, plan, 1).instances().getFirst();
                    List<Tensor> image = RandomTensors.of(instance.inputs(), 1);
                    try {
                        first[m][round] = timed(instance, image);
                        second[m][round] = timed(instance, image);
                        long[] rest = new long[runs];
                        for (int r = 0; r < runs; r++) {
                            rest[r] = timed(instance, image);
                        }
                        Arrays.sort(rest);
                        settled[m][round] = rest[runs / 2];
                    } finally {
                        instance.close();
                    }
                }
                System.err.printf("round %d of %d%n", round + 1, rounds);
            }
        } finally {
            branchPool.shutdownNow();
        }
        return report(plan, rounds, runs, arguments, first, second, settled);
    }

    private static long timed(ExecutionPlan instance, List<Tensor> inputs) throws OrtException {
        long start = System.nanoTime();
        instance.run(inputs);
        return System.nanoTime() - start;
    }

    private static String report(PlanChoice plan, int rounds, int runs, String arguments, long[][] first,
            long[][] second, long[][] settled) {
        StringBuilder md = new StringBuilder();
        md.append("## Warm-up benchmark\n\n");
        md.append("- command: `bin/bench warmup ").append(arguments).append("`\n");
        md.append("- machine: ").append(Machine.current()).append(", load average at the end ")
                .append(Machine.loadAverage()).append('\n');
        md.append("- plan ").append(plan.name().toLowerCase(Locale.ROOT)).append(", batch 1, ").append(rounds)
                .append(" rounds of a fresh load per model (deep and shallow in alternation); settled: the median of")
                .append(" the ").append(runs).append(" runs after the second\n\n");
        md.append("| model | run | p50 µs | p90 µs | p99 µs | max µs | p50 of ratio to settled | max ratio |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (int m = 0; m < MODELS.size(); m++) {
            row(md, MODELS.get(m), "first (no warm-up)", first[m], settled[m]);
            row(md, MODELS.get(m), "second (after 1 warm-up run)", second[m], settled[m]);
            row(md, MODELS.get(m), "settled", settled[m], settled[m]);
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String model, String run, long[] nanos, long[] settled) {
        Percentiles p = Percentiles.of(nanos);
        double[] ratios = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            ratios[i] = (double) nanos[i] / settled[i];
        }
        Arrays.sort(ratios);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f |%n", model, run,
                p.p50(), p.p90(), p.p99(), p.max(), ratios[(ratios.length - 1) / 2], ratios[ratios.length - 1]));
    }
}
