package io.shallowserve.trainer.latency;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.PairTiming;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import io.shallowserve.trainer.export.OnnxExporter;
import io.shallowserve.trainer.export.RandomNetworks;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The depth-scaling experiment of the performance work: at each number of units L, one spec at a fixed parameter
 * budget (the widest units that fit), in both shapes, with random weights (a graph's cost does not depend on its
 * values), timed in-process at batch 1 and 8: deep and the shallow shape's one-session plans (single, wide) at every
 * intra-op thread count up to the cores, the best of each kept, and the shallow shape's grouped and branches plans at
 * the server's defaults, all in alternation ({@link PairTiming}). Deep's time grows with L; the question is whether the shallow shape's broad layer does not.
 */
public final class DepthScaling {

    static final List<Integer> BATCHES = List.of(1, 8);
    /** The plans of the shallow shape, by the names the plans report. */
    static final List<String> SHALLOW_PLANS = PairTiming.SHALLOW_PLANS;
    private static final int MIN_WIDTH = 4;

    private DepthScaling() {}

    /**
     * One measured point.
     *
     * @param units       L
     * @param width       channels of every unit
     * @param parameters  trainable parameters of either shape
     * @param batch       images per run
     * @param deep        deep at its best thread count
     * @param deepThreads that thread count
     * @param shallow     each shallow plan by name, in the order of {@link #SHALLOW_PLANS}, at its best thread count
     *                    as deep is ({@link PairTiming.BatchTimes#bestShallow}); grouped only where the shallow shape
     *                    has more branches than groups
     */
    public record Row(int units, int width, long parameters, int batch, Percentiles deep, int deepThreads,
            Map<String, PairTiming.ThreadedTimes> shallow) {}

    /**
     * The spec at {@code units} units: the default pair's layout (28x28 grey input, 3x3 kernels, stem pool, batch
     * norm folded, 7x7 head pool, 10 classes) with the widest units whose parameters stay within {@code budget}.
     *
     * @throws IllegalArgumentException if even units of width {@value #MIN_WIDTH} do not fit
     */
    static ArchitectureSpec spec(int units, long budget) {
        ArchitectureSpec widest = null;
        for (int width = MIN_WIDTH; ; width++) {
            ArchitectureSpec spec = new ArchitectureSpec(1, 28, 28, 10, width, 3, true, units, 3, Activation.RELU,
                    true, 7);
            if (spec.parameterCount() > budget) {
                break;
            }
            widest = spec;
        }
        if (widest == null) {
            throw new IllegalArgumentException(units + " units of width " + MIN_WIDTH + " already take more than "
                    + budget + " parameters; give a larger --budget");
        }
        return widest;
    }

    /**
     * Measures every number of units in {@code unitCounts}, exporting the graphs under {@code work}.
     *
     * @param progress told one line per step
     */
    public static List<Row> measure(List<Integer> unitCounts, long budget, int warmUp, int runs, Path work,
            Consumer<String> progress) throws IOException, ModelVersionException, OrtException {
        SessionFactory sessions = new SessionFactory("cpu");
        List<Row> rows = new ArrayList<>();
        for (int units : unitCounts) {
            ArchitectureSpec spec = spec(units, budget);
            progress.accept("L=" + units + ": width " + spec.width() + ", " + spec.parameterCount()
                    + " parameters; exporting both shapes and timing deep at 1 to "
                    + ThreadDefaults.intraOpThreadsMax() + " threads and the shallow plans at batch 1 and 8");
            ModelVersion deep = export(spec, NetworkShape.DEEP, work.resolve("L" + units));
            ModelVersion shallow = export(spec, NetworkShape.SHALLOW, work.resolve("L" + units));
            rows.addAll(measure(sessions, spec, deep, shallow, warmUp, runs));
        }
        return rows;
    }

    private static List<Row> measure(SessionFactory sessions, ArchitectureSpec spec, ModelVersion deep,
            ModelVersion shallow, int warmUp, int runs) throws ModelVersionException, OrtException {
        List<Row> rows = new ArrayList<>();
        for (PairTiming.BatchTimes times : PairTiming.measure(sessions, deep, shallow, ThreadDefaults.intraOpThreads(),
                ThreadDefaults.branchThreads(), BATCHES, warmUp, runs)) {
            rows.add(new Row(spec.units(), spec.width(), spec.parameterCount(), times.batch(), times.bestDeep(),
                    times.bestDeepThreads(), bestShallow(times)));
        }
        return rows;
    }

    /** Each plan of {@link #SHALLOW_PLANS} that ran, at its best thread count. */
    private static Map<String, PairTiming.ThreadedTimes> bestShallow(PairTiming.BatchTimes times) {
        Map<String, PairTiming.ThreadedTimes> best = new LinkedHashMap<>();
        for (String plan : SHALLOW_PLANS) {
            times.bestShallow(plan).ifPresent(threaded -> best.put(plan, threaded));
        }
        return best;
    }

    /**
     * The graphs of one shape of {@code given} with random weights, and the version the plans open (no model.json is
     * written): how the experiment, and the tests of other shapes' plans, make a model to time.
     */
    static ModelVersion export(ArchitectureSpec given, NetworkShape shape, Path folder) throws IOException {
        String name = shape.id();
        Path versionFolder = folder.resolve(name).resolve("1");
        ArchitectureSpec spec = given.forShape(shape);
        OnnxExporter.export(RandomNetworks.create(spec, shape, 1), versionFolder);
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT, name, 1, shape.id(), spec.toManifest(),
                spec.parameterCount(), OnnxExporter.inputTensor(spec), OnnxExporter.outputTensor(spec), null, null,
                null, null, null, shape.hasBranches() ? OnnxExporter.branches(spec, shape) : null, null);
        return new ModelVersion(name, 1, versionFolder, manifest, "");
    }
}
