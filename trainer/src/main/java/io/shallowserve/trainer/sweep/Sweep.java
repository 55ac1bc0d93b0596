package io.shallowserve.trainer.sweep;

import ai.onnxruntime.OrtException;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.data.DataSplits;
import io.shallowserve.trainer.data.DatasetKind;
import io.shallowserve.trainer.latency.Machine;
import io.shallowserve.trainer.latency.PairLatency;
import io.shallowserve.trainer.latency.Percentiles;
import io.shallowserve.trainer.repository.ModelManifest;
import io.shallowserve.trainer.train.Evaluation;
import io.shallowserve.trainer.train.ModelTraining;
import io.shallowserve.trainer.train.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Runs a grid: for each point not yet in the results, trains the deep and the shallow network on the same split
 * with the same seed, exports both into a model repository, measures the pair's latency, and appends their rows.
 */
public final class Sweep {

    /**
     * What one invocation did.
     *
     * @param pairs        points in the grid
     * @param alreadyDone  points whose rows were already in the results, skipped
     * @param ran          points trained now
     * @param budgetSpent  whether the time budget stopped the sweep before the grid was done
     */
    public record Outcome(int pairs, int alreadyDone, int ran, boolean budgetSpent) {}

    private final SweepGrid grid;
    private final SweepResults results;
    private final Path models;
    private final Map<DatasetKind, DataSplits> data;

    /**
     * @param models model repository the trained networks are exported into, as
     *               {@code <point id>-deep/1} and {@code <point id>-shallow/1}
     * @param data   the splits of every data set of the grid
     */
    public Sweep(SweepGrid grid, SweepResults results, Path models, Map<DatasetKind, DataSplits> data) {
        for (DatasetKind kind : grid.datasets()) {
            if (!data.containsKey(kind)) {
                throw new IllegalArgumentException("no " + kind.displayName() + " data given for the grid");
            }
        }
        this.grid = grid;
        this.results = results;
        this.models = models;
        this.data = new EnumMap<>(data);
    }

    /**
     * Runs every point that is not done, in grid order, and stops before a pair that would not finish within
     * {@code budget} at the pace of the pairs run so far (null for no budget).
     */
    public Outcome run(Duration budget) throws IOException, OrtException {
        List<SweepPoint> points = grid.points();
        Set<String> finished = results.finishedPairs();
        int alreadyDone = (int) points.stream().filter(point -> finished.contains(point.id())).count();
        long started = System.nanoTime();
        int ran = 0;
        try (ProgressBar bar = new ProgressBarBuilder()
                .setTaskName("sweep")
                .setInitialMax(points.size())
                .startsFrom(alreadyDone, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000)
                .continuousUpdate()
                .build()) {
            for (SweepPoint point : points) {
                if (finished.contains(point.id())) {
                    continue;
                }
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                if (budget != null && ran > 0 && elapsed.plus(elapsed.dividedBy(ran)).compareTo(budget) > 0) {
                    return new Outcome(points.size(), alreadyDone, ran, true);
                }
                bar.setExtraMessage(" " + point.id());
                results.append(runPair(point));
                ran++;
                bar.step();
            }
        }
        return new Outcome(points.size(), alreadyDone, ran, false);
    }

    private List<SweepRow> runPair(SweepPoint point) throws IOException, OrtException {
        SweepSettings settings = grid.settings();
        ArchitectureSpec spec = point.spec(settings);
        TrainingData split = TrainingData.prepare(data.get(point.dataset()), settings.trainLimit(),
                settings.validation(), point.seed());
        Map<NetworkShape, ModelManifest> trained = new EnumMap<>(NetworkShape.class);
        for (NetworkShape shape : NetworkShape.values()) {
            String name = modelName(point, shape);
            // Rows are appended only for finished pairs: a folder here is what a stopped invocation left.
            deleteRecursively(models.resolve(name));
            trained.put(shape, ModelTraining.run(spec, shape, split, settings.trainingOptions(point.seed()), models,
                    name, 1));
        }
        PairLatency.Result latency = settings.latencyRuns() == 0 ? null : PairLatency.measure(
                versionFolder(point, NetworkShape.DEEP), versionFolder(point, NetworkShape.SHALLOW),
                settings.latencyWarmup(), settings.latencyRuns());
        double loadAverage = Machine.loadAverage();
        int examples = settings.examplesPerEpoch(split.training().size());
        return List.of(
                row(point, NetworkShape.DEEP, trained.get(NetworkShape.DEEP), examples,
                        latency == null ? null : latency.deepSingle(), null, loadAverage),
                row(point, NetworkShape.SHALLOW, trained.get(NetworkShape.SHALLOW), examples,
                        latency == null ? null : latency.shallowSingle(),
                        latency == null ? null : latency.shallowBranches(), loadAverage));
    }

    private static SweepRow row(SweepPoint point, NetworkShape shape, ModelManifest model, int examples,
            Percentiles single, Percentiles branches, double loadAverage) {
        ModelManifest.Dataset dataset = model.dataset();
        return new SweepRow(point, shape, dataset.trainImages(), examples, dataset.validationImages(),
                dataset.testImages(), model.architecture().classes(), model.parameters(),
                evaluation(model, "train"), evaluation(model, "validation"), evaluation(model, "test"),
                model.training().seconds(), single, branches, loadAverage);
    }

    /** NaN for a split the run did not have (a sweep without validation images). */
    private static Evaluation evaluation(ModelManifest model, String split) {
        ModelManifest.Split metrics = model.metrics().get(split);
        return metrics == null ? new Evaluation(Double.NaN, Double.NaN)
                : new Evaluation(metrics.loss(), metrics.accuracy());
    }

    /** {@code <point id>-<shape>}: the model's name in the sweep's repository. */
    public static String modelName(SweepPoint point, NetworkShape shape) {
        return point.id() + "-" + shape.id();
    }

    private Path versionFolder(SweepPoint point, NetworkShape shape) {
        return models.resolve(modelName(point, shape)).resolve("1");
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
