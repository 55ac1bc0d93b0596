package io.shallowserve.server.inference;

import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.exec.ThreadDefaults;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the engine loads and runs models.
 *
 * @param repository          the model repository root ({@code <name>/<version>/model.json})
 * @param plan                execution plan for every model
 * @param device              "cpu" or "cuda:&lt;id&gt;"; a GPU that cannot be used falls back to the CPU, logged
 * @param maxBatchSize        most images one request, and one dynamically formed batch, may carry
 * @param maxQueued           requests of one model version waiting for an execution instance; beyond it a request
 *                            is refused at once (RESOURCE_EXHAUSTED)
 * @param branchThreads       platform threads the branches of shallow models run on (one pool, all models)
 * @param intraOpThreads      ONNX Runtime threads per operator of the single plan's session (and the stem and head
 *                            sessions of the branches plan); branch sessions always use one
 * @param closeTimeout        how long {@link InferenceEngine#close()} waits for requests still running
 * @param serving             instances, batching and version policy of every model that has no serving.yaml of
 *                            its own
 * @param repositoryPoll      how often the repository is checked for changed models; {@link Duration#ZERO}: never
 *                            (models change only through explicit load and unload)
 * @param loadApi             whether clients may load and unload models ({@link ModelLoader#load},
 *                            {@link ModelLoader#unload}); the repository index stays readable either way
 * @param readiness           when {@link RequestRouter#ready()} is true
 */
public record EngineConfig(
        Path repository,
        PlanChoice plan,
        String device,
        int maxBatchSize,
        int maxQueued,
        int branchThreads,
        int intraOpThreads,
        Duration closeTimeout,
        ModelSettings serving,
        Duration repositoryPoll,
        boolean loadApi,
        Readiness readiness) {

    public EngineConfig {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        Objects.requireNonNull(serving, "serving");
        Objects.requireNonNull(repositoryPoll, "repositoryPoll");
        Objects.requireNonNull(readiness, "readiness");
        atLeast("maxBatchSize", maxBatchSize, 1);
        atLeast("maxQueued", maxQueued, 0);
        atLeast("branchThreads", branchThreads, 1);
        atLeast("intraOpThreads", intraOpThreads, 1);
        if (repositoryPoll.isNegative()) {
            throw new IllegalArgumentException("repositoryPoll must not be negative, got " + repositoryPoll);
        }
    }

    /**
     * Defaults sized from this machine's cores. These models are small, so parallel requests use cores better than
     * parallel operators: on 2 cores one thread per operator and 2 instances per version; on 16 cores 4 threads per
     * operator and 4 instances. The branch pool has one thread per core. Batching is off, every version serves,
     * the repository is not polled, clients may load and unload models, and the engine is ready while any model
     * serves.
     */
    public static EngineConfig defaults(Path repository) {
        int intraOp = ThreadDefaults.intraOpThreads();
        int instances = Math.max(2, Runtime.getRuntime().availableProcessors() / intraOp);
        return new EngineConfig(repository, PlanChoice.AUTO, "cpu", 64, Math.max(64, 16 * instances),
                ThreadDefaults.branchThreads(), intraOp, Duration.ofSeconds(10),
                new ModelSettings(instances, ModelSettings.Batching.OFF, VersionPolicy.ALL), Duration.ZERO, true,
                Readiness.ANY_MODEL);
    }

    public EngineConfig withPlan(PlanChoice newPlan) {
        return new EngineConfig(repository, newPlan, device, maxBatchSize, maxQueued, branchThreads, intraOpThreads,
                closeTimeout, serving, repositoryPoll, loadApi, readiness);
    }

    public EngineConfig withServing(ModelSettings newServing) {
        return new EngineConfig(repository, plan, device, maxBatchSize, maxQueued, branchThreads, intraOpThreads,
                closeTimeout, newServing, repositoryPoll, loadApi, readiness);
    }

    public EngineConfig withReadiness(Readiness newReadiness) {
        return new EngineConfig(repository, plan, device, maxBatchSize, maxQueued, branchThreads, intraOpThreads,
                closeTimeout, serving, repositoryPoll, loadApi, newReadiness);
    }

    private static void atLeast(String name, int value, int minimum) {
        if (value < minimum) {
            throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
        }
    }
}
