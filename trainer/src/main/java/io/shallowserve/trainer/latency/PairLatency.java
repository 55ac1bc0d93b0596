package io.shallowserve.trainer.latency;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.BranchesPlan;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.Percentiles;
import io.shallowserve.runtime.exec.PlanTiming;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.exec.SinglePlan;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.tensor.RandomTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Batch-1 latency of a deep and a shallow model of one spec, in-process, with the server's plans and default thread
 * counts: deep-single, shallow-single and shallow-branches, timed in alternation ({@link PlanTiming}).
 */
public final class PairLatency {

    /** The three plans' percentiles, measured together. */
    public record Result(Percentiles deepSingle, Percentiles shallowSingle, Percentiles shallowBranches) {}

    private PairLatency() {
    }

    /**
     * @param deepVersion    version folder of the deep model (model.json, model.onnx)
     * @param shallowVersion version folder of the shallow model of the same spec, with its branches
     * @param warmup         untimed runs of each plan first
     * @param runs           timed runs of each plan
     * @throws ModelVersionException if either folder does not hold a model the server would serve
     */
    public static Result measure(Path deepVersion, Path shallowVersion, int warmup, int runs)
            throws ModelVersionException, OrtException {
        ModelVersion deep = ModelRepository.verify(deepVersion);
        ModelVersion shallow = ModelRepository.verify(shallowVersion);
        if (!deep.manifest().architecture().equals(shallow.manifest().architecture())) {
            throw new IllegalArgumentException(
                    deepVersion + " and " + shallowVersion + " are not one spec in two shapes");
        }
        SessionFactory sessions = new SessionFactory("cpu");
        int intraOp = ThreadDefaults.intraOpThreads();
        ExecutorService branchPool = Executors.newFixedThreadPool(ThreadDefaults.branchThreads(),
                Thread.ofPlatform().name("latency-branch-", 0).daemon(true).factory());
        List<ExecutionPlan> plans = new ArrayList<>();
        try {
            plans.add(new SinglePlan(sessions, deep, intraOp));
            plans.add(new SinglePlan(sessions, shallow, intraOp));
            plans.add(new BranchesPlan(sessions, shallow, branchPool, intraOp));
            List<PlanTiming.PlanTimes> times = PlanTiming.inAlternation(plans,
                    RandomTensors.of(plans.getFirst().inputs(), 1), warmup, runs);
            return new Result(times.get(0).percentiles(), times.get(1).percentiles(), times.get(2).percentiles());
        } finally {
            plans.forEach(ExecutionPlan::close);
            branchPool.shutdown();
        }
    }
}
