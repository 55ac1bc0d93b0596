package io.shallowserve.server.inference;

import io.shallowserve.server.exec.PlanChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine loads and runs models.
 *
 * @param repository            the model repository root ({@code <name>/<version>/model.json})
 * @param plan                  execution plan for every model
 * @param device                "cpu" or "cuda:&lt;id&gt;"; a GPU that cannot be used falls back to the CPU, logged
 * @param maxBatchSize          most images one request may carry
 * @param maxConcurrentPerModel executions of one model at the same time
 * @param maxQueuedPerModel     requests of one model waiting for an execution slot; beyond it a request is
 *                              refused at once (RESOURCE_EXHAUSTED)
 * @param branchThreads         platform threads the branches of shallow models run on (one pool, all models)
 * @param intraOpThreads        ONNX Runtime threads per operator of the single plan's session (and the stem and head
 *                              sessions of the branches plan); branch sessions always use one
 * @param closeTimeout          how long {@link InferenceEngine#close()} waits for requests still running
 */
public record EngineConfig(
        Path repository,
        PlanChoice plan,
        String device,
        int maxBatchSize,
        int maxConcurrentPerModel,
        int maxQueuedPerModel,
        int branchThreads,
        int intraOpThreads,
        Duration closeTimeout) {

    public EngineConfig {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        atLeast("maxBatchSize", maxBatchSize, 1);
        atLeast("maxConcurrentPerModel", maxConcurrentPerModel, 1);
        atLeast("maxQueuedPerModel", maxQueuedPerModel, 0);
        atLeast("branchThreads", branchThreads, 1);
        atLeast("intraOpThreads", intraOpThreads, 1);
    }

    /**
     * Defaults sized from this machine's cores: on 2 cores one thread per operator and 2 executions per model at
     * once (these models are small, so parallel requests use cores better than parallel operators); on 16 cores 4
     * threads per operator and 4 executions per model. The branch pool has one thread per core.
     */
    public static EngineConfig defaults(Path repository) {
        int cores = Runtime.getRuntime().availableProcessors();
        int intraOp = Math.clamp(cores / 4, 1, 4);
        int concurrent = Math.max(2, cores / intraOp);
        return new EngineConfig(repository, PlanChoice.AUTO, "cpu", 64, concurrent, Math.max(64, 16 * concurrent),
                cores, intraOp, Duration.ofSeconds(10));
    }

    public EngineConfig withPlan(PlanChoice newPlan) {
        return new EngineConfig(repository, newPlan, device, maxBatchSize, maxConcurrentPerModel, maxQueuedPerModel,
                branchThreads, intraOpThreads, closeTimeout);
    }

    private static void atLeast(String name, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
        }
    }
}
