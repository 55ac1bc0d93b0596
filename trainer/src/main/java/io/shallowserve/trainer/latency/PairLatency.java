package io.shallowserve.trainer.latency;

import ai.onnxruntime.OrtException;
import io.shallowserve.trainer.repository.ModelManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Batch-1 latency of a deep and a shallow model of one spec, in-process: deep-single, shallow-single and
 * shallow-branches, timed in alternation (one run of each per round), so that a noisy neighbour or a frequency
 * change slows them alike and their ratios stay fair.
 */
public final class PairLatency {

    /** The three plans' percentiles, measured together. */
    public record Result(Percentiles deepSingle, Percentiles shallowSingle, Percentiles shallowBranches) {}

    private PairLatency() {
    }

    /**
     * ONNX Runtime threads per operator of the single sessions and the stem and head sessions, as the server
     * configures them by default on this machine (EngineConfig.defaults): a quarter of the cores, 1 to 4.
     */
    private static int intraOpThreads() {
        return Math.clamp(Runtime.getRuntime().availableProcessors() / 4, 1, 4);
    }

    /** The server's default branch pool: one platform thread per core. */
    private static int branchThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * @param deepVersion    version folder of the deep model (model.json, model.onnx)
     * @param shallowVersion version folder of the shallow model of the same spec, with its branches
     * @param warmup         untimed runs of each plan first
     * @param runs           timed runs of each plan
     */
    public static Result measure(Path deepVersion, Path shallowVersion, int warmup, int runs)
            throws IOException, OrtException {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("need at least one timed run and no negative warm-up, got " + runs
                    + " runs and " + warmup + " warm-up");
        }
        ModelManifest deep = ModelManifest.read(deepVersion.resolve(ModelManifest.FILE_NAME));
        ModelManifest shallow = ModelManifest.read(shallowVersion.resolve(ModelManifest.FILE_NAME));
        if (!deep.architecture().equals(shallow.architecture())) {
            throw new IllegalArgumentException(
                    deepVersion + " and " + shallowVersion + " are not one spec in two shapes");
        }
        int intraOp = intraOpThreads();
        ExecutorService branchPool = Executors.newFixedThreadPool(branchThreads(),
                Thread.ofPlatform().name("latency-branch-", 0).daemon(true).factory());
        List<OrtPlan> plans = new ArrayList<>();
        try {
            plans.add(new SinglePlan(deepVersion, deep, intraOp));
            plans.add(new SinglePlan(shallowVersion, shallow, intraOp));
            plans.add(new BranchesPlan(shallowVersion, shallow, branchPool, intraOp));
            long[][] nanos = timeInAlternation(plans, image(deep), warmup, runs);
            return new Result(Percentiles.of(nanos[0]), Percentiles.of(nanos[1]), Percentiles.of(nanos[2]));
        } finally {
            for (OrtPlan plan : plans) {
                plan.close();
            }
            branchPool.shutdown();
        }
    }

    private static long[][] timeInAlternation(List<OrtPlan> plans, float[] image, int warmup, int runs)
            throws OrtException {
        for (int i = 0; i < warmup; i++) {
            for (OrtPlan plan : plans) {
                plan.run(image, 1);
            }
        }
        long[][] nanos = new long[plans.size()][runs];
        for (int i = 0; i < runs; i++) {
            for (int p = 0; p < plans.size(); p++) {
                long start = System.nanoTime();
                plans.get(p).run(image, 1);
                nanos[p][i] = System.nanoTime() - start;
            }
        }
        return nanos;
    }

    /** One image of random pixels in [0, 1): the cost of these graphs does not depend on the values. */
    private static float[] image(ModelManifest model) {
        long[] shape = model.architecture().inputShape(1);
        float[] pixels = new float[(int) (shape[1] * shape[2] * shape[3])];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) random.nextDouble();
        }
        return pixels;
    }
}
