package io.shallowserve.trainer.cli;

import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.report.ResearchReport;
import io.shallowserve.trainer.sweep.Sweep;
import io.shallowserve.trainer.sweep.SweepGrid;
import io.shallowserve.trainer.sweep.SweepPoint;
import io.shallowserve.trainer.sweep.SweepResults;
import io.shallowserve.trainer.sweep.SweepSettings;
import io.shallowserve.trainer.sweep.SweepShape;
import io.shallowserve.trainer.train.ValidationSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code trainer sweep}: a grid of specs in its shapes, resumable, into a results folder. A preset grid gives every
 * value; each option given replaces the preset's.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Train a grid of specs in its shapes (deep and shallow, and optionally shallow-mean, tat and"
                + " parnet),"
                + " measure each deep and shallow pair's latency, and append the results as rows; an interrupted"
                + " sweep continues where it stopped.")
final class SweepCommand implements Callable<Integer> {

    @Option(names = "--grid", defaultValue = "default",
            description = "preset: default (short runs, under an hour on 2 cores), converged (the default grid trained"
                    + " to convergence, about a day), shapes (deep, shallow, shallow-mean, tat and parnet in"
                    + " short runs) or"
                    + " large (days) (default: ${DEFAULT-VALUE})")
    String gridName;

    @Option(names = "--datasets", split = ",", description = "fashion-mnist, mnist, cifar10")
    List<String> datasets;

    @Option(names = "--units", split = ",", description = "numbers of units L")
    List<Integer> units;

    @Option(names = "--widths", split = ",", description = "widths C")
    List<Integer> widths;

    @Option(names = "--unit-kernels", split = ",", description = "unit kernel sizes")
    List<Integer> unitKernels;

    @Option(names = "--activations", split = ",", description = "relu, leaky_relu")
    List<Activation> activations;

    @Option(names = "--seeds", split = ",")
    List<Long> seeds;

    @Option(names = "--shapes", split = ",",
            description = "deep, shallow, shallow-mean (the shallow sum scaled by 1/L), tat (no shortcuts, no batch"
                    + " norm, TAT's leaky ReLU), parnet (2 residual streams, the second at half resolution); deep and"
                    + " shallow are always among them")
    List<String> shapes;

    @Option(names = "--epochs", description = "passes over the training split; with --patience, the most")
    Integer epochs;

    @Option(names = "--patience",
            description = "stop a run after this many epochs without a lower validation loss, keeping the best"
                    + " epoch's weights (0 = train every epoch)")
    Integer patience;

    @Option(names = "--batch-size")
    Integer batchSize;

    @Option(names = "--learning-rate")
    Float learningRate;

    @Option(names = "--train-limit",
            description = "use only the first N training images, validation included (0 = all)")
    Integer trainLimit;

    @Mixin
    ValidationFlags validation;

    @Option(names = "--max-steps-per-epoch", description = "cut epochs short (0 = no limit)")
    Integer maxStepsPerEpoch;

    @Option(names = "--head-pool", description = "average-pool grid before the dense layer (CIFAR-10: 1, 2, 4 or 8)")
    Integer headPool;

    @Option(names = "--latency-runs", description = "timed batch-1 runs of each plan per pair (0 = no latency)")
    Integer latencyRuns;

    @Option(names = "--latency-warmup", description = "untimed runs of each plan first")
    Integer latencyWarmup;

    @Option(names = "--budget-minutes", defaultValue = "0",
            description = "start no run that would end after this many minutes (0 = no budget)")
    long budgetMinutes;

    @Mixin
    DataFlag data;

    @Option(names = "--output", description = "results folder: sweep.json, rows.csv (default: research/<grid>-grid)")
    Path output;

    @Option(names = "--models",
            description = "model repository for the trained networks (default: runs/<output folder name>-models)")
    Path models;

    @Option(names = "--list", description = "print the grid's points and which are done in every shape, and train"
            + " nothing")
    boolean list;

    @Mixin
    ProgressFlag progress;

    @Override
    public Integer call() throws Exception {
        SweepGrid grid = grid();
        Path results = output != null ? output : Path.of("research", gridName + "-grid");
        Path repository = models != null ? models : Path.of("runs", results.getFileName() + "-models");
        if (list) {
            Set<String> finished = Files.exists(results.resolve(SweepResults.DESCRIPTION_FILE))
                    ? SweepResults.read(results).finishedPoints(grid.shapes()) : Set.of();
            for (SweepPoint point : grid.points()) {
                System.out.printf("%-4s %s (%d parameters)%n", finished.contains(point.id()) ? "done" : "-",
                        point.id(), point.spec(grid.settings()).parameterCount());
            }
            return 0;
        }
        Map<DatasetKind, DataSplits> splits = new EnumMap<>(DatasetKind.class);
        for (DatasetKind kind : grid.datasets()) {
            splits.put(kind, data.load(kind));
        }
        SweepResults folder = SweepResults.openForWriting(results, grid.settings());
        System.out.printf("%d points in %d shapes (%s) into %s, models into %s; %s%n", grid.points().size(),
                grid.shapes().size(), String.join(", ", grid.shapes().stream().map(SweepShape::id).toList()), results,
                repository, machineLine(folder.description().machine(), Machine.current()));
        Sweep.Outcome outcome = new Sweep(grid, folder, repository, splits, progress.progress(), SweepCommand::report)
                .run(budgetMinutes > 0 ? Duration.ofMinutes(budgetMinutes) : null);
        System.out.printf("%d runs: %d were done, %d trained now, %d left%s%n", outcome.runs(),
                outcome.alreadyDone(), outcome.ran(), outcome.runs() - outcome.alreadyDone() - outcome.ran(),
                outcome.budgetSpent() ? " (time budget spent: run the same command again to continue)" : "");
        return 0;
    }

    /**
     * The machine this run trains on, and the one the folder's first rows were made on where it is other hardware: a
     * grid resumed elsewhere has training times from two CPUs.
     */
    static String machineLine(Machine began, Machine now) {
        return "machine: " + now + (began.sameHardware(now) ? ""
                : " (the folder's first rows were made on " + began + ": training times differ between the two)");
    }

    /**
     * Writes the report anew after every append once a deep and shallow pair is complete, so the folder's report
     * always matches its rows, whenever the sweep is stopped or its rows are committed.
     */
    private static void report(SweepResults results) throws IOException {
        if (!results.finishedPoints(SweepShape.PAIR).isEmpty()) {
            ResearchReport.write(results.folder());
        }
    }

    private SweepGrid grid() {
        SweepGrid preset = SweepGrid.preset(gridName);
        SweepSettings s = preset.settings();
        ValidationSplit split = validation.split(s.validationSplit());
        SweepSettings settings = new SweepSettings(
                or(epochs, s.epochs()),
                or(patience, s.patience()),
                or(batchSize, s.batchSize()),
                or(learningRate, s.learningRate()),
                or(trainLimit, s.trainLimit()),
                split.images(),
                split.fraction(),
                or(maxStepsPerEpoch, s.maxStepsPerEpoch()),
                s.stemKernel(),
                s.stemPool(),
                s.batchNorm(),
                or(headPool, s.headPool()),
                or(latencyWarmup, s.latencyWarmup()),
                or(latencyRuns, s.latencyRuns()));
        return new SweepGrid(
                datasets == null ? preset.datasets() : datasets.stream().map(DatasetKind::fromId).toList(),
                or(units, preset.units()),
                or(widths, preset.widths()),
                or(unitKernels, preset.unitKernels()),
                or(activations, preset.activations()),
                or(seeds, preset.seeds()),
                shapes == null ? preset.shapes() : shapes.stream().map(SweepShape::fromId).toList(),
                settings);
    }

    private static <T> T or(T given, T preset) {
        return given != null ? given : preset;
    }
}
