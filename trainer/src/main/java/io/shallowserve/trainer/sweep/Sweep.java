package io.shallowserve.trainer.sweep;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.data.DataSplits;
import io.shallowserve.runtime.data.DatasetKind;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.trainer.latency.PairLatency;
import io.shallowserve.trainer.train.Evaluation;
import io.shallowserve.trainer.train.ModelTraining;
import io.shallowserve.trainer.train.Progress;
import io.shallowserve.trainer.train.TrainingData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs a grid: for each point, trains the network in each of the grid's shapes on the same split with the same seed
 * and exports each into a model repository. Without latency, each run's row is appended as soon as it ends, so a
 * stopped sweep loses at most the run in progress; with latency, the deep and shallow pair's latency is measured
 * after the point's last run and the point's rows are appended together. Runs whose rows are in the results are
 * skipped.
 */
public final class Sweep {

    /**
     * What one invocation did, counted in runs (one network of one shape).
     *
     * @param runs         runs in the grid: one per point and shape
     * @param alreadyDone  runs whose rows were already in the results, skipped
     * @param ran          runs trained now
     * @param budgetSpent  whether the time budget stopped the sweep before the grid was done
     */
    public record Outcome(int runs, int alreadyDone, int ran, boolean budgetSpent) {}

    /** Told after every append to the rows, e.g. to write the report anew. */
    @FunctionalInterface
    public interface RowsListener {
        void appended(SweepResults results) throws IOException;
    }

    private final SweepGrid grid;
    private final SweepResults results;
    private final Path models;
    private final Map<DatasetKind, DataSplits> data;
    private final Progress progress;
    private final RowsListener listener;

    /**
     * @param models   model repository the trained networks are exported into, as {@code <point id>-<shape>/1}
     *                 ({@link #modelName})
     * @param data     the splits of every data set of the grid
     * @param progress what each run shows; the sweep prints a line as each run starts
     * @param listener told after every append
     */
    public Sweep(SweepGrid grid, SweepResults results, Path models, Map<DatasetKind, DataSplits> data,
            Progress progress, RowsListener listener) {
        for (DatasetKind kind : grid.datasets()) {
            if (!data.containsKey(kind)) {
                throw new IllegalArgumentException("no " + kind.displayName() + " data given for the grid");
            }
        }
        this.grid = grid;
        this.results = results;
        this.models = models;
        this.data = new EnumMap<>(data);
        this.progress = progress;
        this.listener = listener;
    }

    /**
     * Runs every run that is not done, in grid order, and stops before a run (a point's runs, with latency) that
     * would not finish within {@code budget} at the pace of the runs so far (null for no budget).
     */
    public Outcome run(Duration budget) throws IOException, OrtException, ModelVersionException {
        List<SweepPoint> points = grid.points();
        Set<String> finished = results.finishedRuns();
        List<SweepShape> shapes = grid.shapes();
        int runs = points.size() * shapes.size();
        int alreadyDone = (int) points.stream().flatMap(point -> shapes.stream()
                .map(shape -> modelName(point, shape))).filter(finished::contains).count();
        boolean latency = grid.settings().latencyRuns() > 0;
        long started = System.nanoTime();
        int ran = 0;
        for (SweepPoint point : points) {
            List<SweepShape> missing = shapes.stream()
                    .filter(shape -> !finished.contains(modelName(point, shape))).toList();
            if (missing.isEmpty()) {
                continue;
            }
            if (latency && missing.size() < shapes.size()) {
                // Such a sweep appends a point's rows together: shapes were added to the grid, or rows removed.
                throw new IOException(SweepResults.ROWS_FILE + " holds rows of " + point.id() + " in some of the"
                        + " grid's shapes but not all, which a sweep measuring latency never writes: choose another"
                        + " --output, or remove that point's rows and run again");
            }
            List<List<SweepShape>> units = latency ? List.of(missing) : missing.stream().map(List::of).toList();
            for (List<SweepShape> unit : units) {
                Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
                if (budget != null && ran > 0
                        && elapsed.plus(elapsed.multipliedBy(unit.size()).dividedBy(ran)).compareTo(budget) > 0) {
                    return new Outcome(runs, alreadyDone, ran, true);
                }
                List<SweepRow> rows = new ArrayList<>();
                for (SweepShape shape : unit) {
                    System.out.printf(Locale.ROOT, "run %d of %d: %s%n", alreadyDone + ran + rows.size() + 1, runs,
                            modelName(point, shape));
                    rows.add(train(point, shape));
                }
                results.append(latency ? withLatency(point, rows) : rows);
                ran += unit.size();
                listener.appended(results);
            }
        }
        return new Outcome(runs, alreadyDone, ran, false);
    }

    /** The run's row, without latency. */
    private SweepRow train(SweepPoint point, SweepShape shape) throws IOException {
        SweepSettings settings = grid.settings();
        TrainingData split = TrainingData.prepare(data.get(point.dataset()), settings.trainLimit(),
                settings.validationSplit(), point.seed());
        String name = modelName(point, shape);
        // Rows are appended only for finished runs: a folder here is what a stopped invocation left.
        ModelRepository.delete(models.resolve(name));
        ModelManifest model = ModelTraining.run(shape.spec(point.spec(settings)), shape.network(), split,
                settings.trainingOptions(point.seed(), progress), models, name, 1);
        int epochsTrained = Files.readAllLines(versionFolder(point, shape).resolve(ModelTraining.METRICS_FILE))
                .size() - 1;
        return row(point, shape, model, settings.examplesPerEpoch(split.training().size()), epochsTrained, null,
                null, Machine.loadAverage());
    }

    /**
     * The point's rows, the deep and shallow rows with the pair's latency, measured now with both plans in
     * alternation; the other shapes' rows with the load average only (their graphs cost what deep's or shallow's
     * do: the same convolutions).
     */
    private List<SweepRow> withLatency(SweepPoint point, List<SweepRow> rows) throws IOException, OrtException,
            ModelVersionException {
        SweepSettings settings = grid.settings();
        PairLatency.Result latency = PairLatency.measure(
                versionFolder(point, SweepShape.DEEP), versionFolder(point, SweepShape.SHALLOW),
                settings.latencyWarmup(), settings.latencyRuns());
        double loadAverage = Machine.loadAverage();
        return rows.stream().map(row -> switch (row.shape()) {
            case DEEP -> row.withLatency(latency.deepSingle(), null, loadAverage);
            case SHALLOW -> row.withLatency(latency.shallowSingle(), latency.shallowBranches(), loadAverage);
            default -> row.withLatency(null, null, loadAverage);
        }).toList();
    }

    private static SweepRow row(SweepPoint point, SweepShape shape, ModelManifest model, int examples,
            int epochsTrained, Percentiles single, Percentiles branches, double loadAverage) {
        ModelManifest.Dataset dataset = model.dataset();
        return new SweepRow(point, shape, dataset.trainImages(), examples, dataset.validationImages(),
                dataset.testImages(), model.architecture().classes(), model.parameters(),
                evaluation(model, "train"), evaluation(model, "validation"), evaluation(model, "test"),
                model.training().seconds(), epochsTrained, model.training().epochs(), single, branches,
                loadAverage);
    }

    /** NaN for a split the run did not have (a sweep without validation images). */
    private static Evaluation evaluation(ModelManifest model, String split) {
        ModelManifest.Split metrics = model.metrics().get(split);
        return metrics == null ? new Evaluation(Double.NaN, Double.NaN)
                : new Evaluation(metrics.loss(), metrics.accuracy());
    }

    /** {@code <point id>-<shape>}: the model's name in the sweep's repository. */
    public static String modelName(SweepPoint point, SweepShape shape) {
        return point.id() + "-" + shape.id();
    }

    private Path versionFolder(SweepPoint point, SweepShape shape) {
        return models.resolve(modelName(point, shape)).resolve("1");
    }
}
