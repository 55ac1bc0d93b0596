package io.shallowserve.server.bench;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.exec.PairTiming;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.exec.PlanTiming;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.server.inference.EngineConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * In-process latency of shallow-single, shallow-wide, shallow-grouped and shallow-branches at batch 1 and 8 on the default models,
 * sessions configured as {@link EngineConfig#defaults} would configure them on this machine, against deep-single at
 * every intra-op thread count from 1 to {@link ThreadDefaults#intraOpThreadsMax()}: the ratios
 * are to deep at its best, not at the shallow plans' setting. One caller, no server around it, all plans in
 * alternation ({@link PlanTiming}). {@code --against} puts another version folder in the shallow model's place, e.g.
 * a parnet model of the default spec; its rows are named by its shape, and the plans it cannot run are listed with
 * why.
 *
 * <pre>
 * PlanBenchmark [--models models] [--against VERSION_FOLDER] [--out result.md] [--warmup 500] [--runs 5000]
 * </pre>
 */
public final class PlanBenchmark {

    private static final List<Integer> BATCHES = List.of(1, 8);
    private static final String DEEP = "deep-single";

    private PlanBenchmark() {}

    /** One plan on one model at one batch size: the percentiles of its runs and of its branch sessions' runs. */
    private record Summary(String label, int batch, Percentiles latency, Percentiles branch) {}

    public static void main(String[] args) throws Exception {
        Path models = Path.of("models");
        Path against = null;
        Path out = null;
        int warmup = 500;
        int runs = 5000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models" -> models = Path.of(args[++i]);
                case "--against" -> against = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: PlanBenchmark [--models models] [--against VERSION_FOLDER]"
                            + " [--out result.md] [--warmup 500] [--runs 5000]");
                    System.exit(2);
                }
            }
        }
        String report = run(models, against, warmup, runs, String.join(" ", args));
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report);
        }
    }

    /**
     * @param against the version folder of the model to time against deep; null for the repository's
     *                fashion-shallow
     */
    static String run(Path models, Path against, int warmup, int runs, String arguments)
            throws ModelVersionException, OrtException, IOException {
        EngineConfig config = EngineConfig.defaults(models);
        ModelVersion deep = verify(models, "fashion-deep");
        ModelVersion shallow = against == null ? verify(models, "fashion-shallow") : ModelRepository.verify(against);
        String prefix = shallow.manifest().shape() + "-";
        List<PairTiming.BatchTimes> measured = PairTiming.measure(new SessionFactory("cpu"), deep, shallow,
                config.intraOpThreads(), config.branchThreads(), BATCHES, warmup, runs);
        List<Summary> summaries = new ArrayList<>();
        for (PairTiming.BatchTimes times : measured) {
            for (int t = 0; t < times.deepByThreads().size(); t++) {
                summaries.add(new Summary(DEEP + " " + (t + 1) + "t", times.batch(),
                        times.deepByThreads().get(t).percentiles(), null));
            }
            for (Map.Entry<String, PlanTiming.PlanTimes> plan : times.shallow().entrySet()) {
                PlanTiming.PlanTimes planTimes = plan.getValue();
                summaries.add(new Summary(prefix + plan.getKey(), times.batch(), planTimes.percentiles(),
                        planTimes.branchNanos().length == 0 ? null : planTimes.branchPercentiles()));
            }
        }
        return report(summaries, measured, config, deep, shallow, prefix, warmup, runs, arguments);
    }

    private static String report(List<Summary> summaries, List<PairTiming.BatchTimes> measured, EngineConfig config,
            ModelVersion deep, ModelVersion shallow, String prefix, int warmup, int runs, String arguments) {
        StringBuilder md = new StringBuilder();
        md.append("## Plan benchmark, ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append("\n\n");
        md.append("- command: `bin/bench ").append(arguments).append("`\n");
        md.append("- machine: ").append(Machine.current()).append(", CPU sessions, load average at the end ")
                .append(Machine.loadAverage()).append('\n');
        md.append("- models: ").append(describe(deep)).append("; ").append(describe(shallow)).append('\n');
        md.append("- sessions: deep-single at 1 to ").append(ThreadDefaults.intraOpThreadsMax()).append(" intra-op threads (`")
                .append(DEEP).append(" Nt`); the ").append(shallow.manifest().shape())
                .append(" plans as the server runs them by default: intra-op threads ")
                .append(config.intraOpThreads()).append(" (single, wide, stem, head), 1 per branch session; branch pool ")
                .append(config.branchThreads()).append(" platform threads; single and wide also at deep's other thread")
                .append(" counts (`").append(prefix).append("wide Nt`)\n");
        md.append("- one caller, ").append(warmup).append(" warm-up and ").append(runs)
                .append(" timed runs per case, all plans in alternation; random pixels in [0, 1)\n");
        measured.getFirst().notRun().forEach((plan, why) -> md.append("- not run: ").append(prefix).append(plan)
                .append(": ").append(why).append('\n'));
        md.append('\n');
        md.append("| plan | batch | p50 µs | p90 µs | p99 µs | max µs |\n|---|---:|---:|---:|---:|---:|\n");
        for (Summary s : summaries) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", s.label(), s.batch(),
                    s.latency().p50(), s.latency().p90(), s.latency().p99(), s.latency().max()));
        }
        md.append("\nMedian time of one branch session inside the plans that run branches apart (the caller or a pool"
                + " thread running it; a grouped session runs a group of branches):");
        for (Summary s : summaries) {
            if (s.branch() != null) {
                md.append(String.format(Locale.ROOT, " %s batch %d: %.1f µs;", s.label(), s.batch(),
                        s.branch().p50()));
            }
        }
        md.setLength(md.length() - 1);
        md.append(".\n");
        md.append("\nRatios to deep at its best thread count in the same run (the deep row with the lowest p50 at that"
                + " batch; below 1 = faster than deep):\n\n");
        md.append("| plan | batch | against | p50 ratio | p99 ratio |\n|---|---:|---|---:|---:|\n");
        for (PairTiming.BatchTimes times : measured) {
            Percentiles bestDeep = times.bestDeep();
            for (Map.Entry<String, PlanTiming.PlanTimes> plan : times.shallow().entrySet()) {
                Percentiles shallowTimes = plan.getValue().percentiles();
                md.append(String.format(Locale.ROOT, "| %s | %d | %s | %.2f | %.2f |%n", prefix + plan.getKey(),
                        times.batch(), DEEP + " " + times.bestDeepThreads() + "t", shallowTimes.p50() / bestDeep.p50(),
                        shallowTimes.p99() / bestDeep.p99()));
            }
        }
        return md.toString();
    }

    private static String describe(ModelVersion model) {
        var spec = model.manifest().architecture();
        return model.name() + "/" + model.version() + " (" + model.manifest().shape() + ", " + spec.units()
                + " units of width " + spec.width() + ", " + model.manifest().parameters() + " parameters)";
    }

    private static ModelVersion verify(Path models, String name) throws ModelVersionException {
        return ModelRepository.verify(models.resolve(name).resolve("1"));
    }
}
