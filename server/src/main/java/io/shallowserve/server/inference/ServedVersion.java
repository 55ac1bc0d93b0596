package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.shallowserve.runtime.exec.BranchesPlan;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One READY model version: checks a request against its tensors ({@link RequestValidator}), queues it on the
 * version's scheduler (its execution instances and dynamic batcher) and builds the requested outputs, logits or
 * {@link Classification}, recording metrics and statistics on the way. Its tensors are the graph's as its
 * configuration declares them, or as Triton's auto-complete would ({@link ServedTensor#forGraph}): requests are in
 * their API shapes, the graph runs in its own, and outputs go back in the API shapes.
 *
 * <p>A reload or unload retires a version: requests that already hold it finish on it, new ones no longer get it,
 * and the last one out closes its sessions ({@link UserCount}).
 */
final class ServedVersion {

    private final ServableVersion model;
    /** Its instances belong to the scheduler; kept for what the load found and measured. */
    private final PlanLoader.LoadedPlan plan;
    private final long parameters;
    private final Optional<TritonModelConfig> configuration;
    private final ModelSettings settings;
    private final int maxBatchSize;
    private final VersionMetrics metrics;
    private final BatchScheduler scheduler;
    private final RequestValidator validator;
    private final List<String> labels;
    private final UserCount users = new UserCount();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Executor closer;

    /**
     * @param plan          the version's execution instances; this version owns them from now on
     * @param parameters    its parameter count, as its metadata reports it ({@link ModelMetadata#parameters()})
     * @param configuration the Triton configuration it was loaded with, if any
     * @param maxBatchSize the most rows one request or batch may carry; 0 for a model without a batch dimension
     * @param maxQueued    requests that may wait for an instance, unless the configuration's queue policy sets
     *                      max_queue_size
     * @param closer    where the sessions of a retired version are closed, off the request's thread
     */
    ServedVersion(ServableVersion model, PlanLoader.LoadedPlan plan, long parameters,
            Optional<TritonModelConfig> configuration, ModelSettings settings, int maxBatchSize, int maxQueued,
            MeterRegistry registry, Executor closer) {
        this.model = model;
        this.plan = plan;
        this.parameters = parameters;
        this.configuration = configuration;
        this.settings = settings;
        this.maxBatchSize = maxBatchSize;
        this.closer = closer;
        this.validator = RequestValidator.of(model.name(), plan.instances().getFirst(), configuration, maxBatchSize);
        this.labels = model instanceof ModelVersion trained ? trained.manifest().labels() : List.of();
        int branches = plan.instances().getFirst() instanceof BranchesPlan branchesPlan
                ? branchesPlan.branchCount() : 0;
        this.metrics = new VersionMetrics(registry, model.name(), version(), plan.name(), branches, maxBatchSize);
        // A model without a batch dimension runs each request on its own.
        TritonModelConfig.QueuePolicy queue = configuration.map(TritonModelConfig::queuePolicy)
                .orElse(TritonModelConfig.QueuePolicy.NONE);
        this.scheduler = new BatchScheduler(model.name() + " version " + model.version(), plan.instances(),
                maxBatchSize == 0 ? ModelSettings.Batching.OFF : settings.batching(), Math.max(1, maxBatchSize),
                queue.maxQueued().orElse(maxQueued), Duration.ofNanos(queue.timeoutMicros() * 1000), metrics);
    }

    String version() {
        return Integer.toString(model.version());
    }

    ServableVersion model() {
        return model;
    }

    /** The inputs requests send. */
    List<ServedTensor> inputs() {
        return validator.servedInputs();
    }

    /** The outputs requests may ask for. */
    List<ServedTensor> outputs() {
        return validator.servedOutputs();
    }

    /** The Triton configuration it was loaded with (config.pbtxt or a load request's), if any. */
    Optional<TritonModelConfig> configuration() {
        return configuration;
    }

    ModelSettings settings() {
        return settings;
    }

    /** Takes this version for one request; false once it is retired (the caller looks the version up again). */
    boolean acquire() {
        return users.acquire();
    }

    /** Gives back what {@link #acquire()} took; the last request out of a retired version closes it. */
    void release() {
        if (users.release()) {
            closeLater();
        }
    }

    /**
     * No new request gets this version; its meters go at once (a reload of the same version number registers them
     * again) and its sessions close once the requests holding it finished.
     */
    void retire() {
        removeMeters();
        if (users.retire()) {
            closeLater();
        }
    }

    private void closeLater() {
        try {
            closer.execute(this::close);
        } catch (RejectedExecutionException e) {
            // The engine closed meanwhile: close here.
            close();
        }
    }

    /** Takes this version's meters out of the registry; requests still running record into them unseen. */
    void removeMeters() {
        metrics.remove();
    }

    /**
     * Admits one request (RESOURCE_EXHAUSTED at once when the queue is full), then decodes it with {@code decoder}
     * on the caller's thread, checks it and queues it. The future completes on an instance thread, with the
     * response or an {@link InferenceException}; cancelling it takes the request out of the queue if it has not
     * started.
     */
    CompletableFuture<InferenceResponse> infer(RequestRouter.RequestDecoder decoder) {
        long start = System.nanoTime();
        metrics.entered();
        InferenceRequest request;
        RequestValidator.ValidInputs valid;
        List<RequestedOutput> requested;
        try {
            scheduler.admit();
        } catch (InferenceException e) {
            return failed(e, start);
        }
        try {
            request = decoder.decode();
            valid = validator.inputs(request.inputs());
            requested = validator.outputs(request.outputs());
        } catch (InferenceException | RuntimeException e) {
            scheduler.abandon();
            return failed(e, start);
        }
        long validated = System.nanoTime();
        CompletableFuture<BatchScheduler.Executed> executed =
                scheduler.submit(valid.inputs(), valid.rows(), request.deadlineNanoTime());
        CompletableFuture<InferenceResponse> response = executed.thenApply(done -> {
            long outputStart = System.nanoTime();
            List<Tensor> built = buildOutputs(requested, done.outputs());
            long end = System.nanoTime();
            metrics.timed(done.queueNanos(), validated - start, done.computeNanos(), end - outputStart);
            metrics.succeeded(end - start);
            return new InferenceResponse(model.name(), version(), request.id(), built);
        });
        response.whenComplete((done, failure) -> {
            if (failure != null) {
                if (response.isCancelled()) {
                    executed.cancel(false);
                }
                metrics.failed(InferenceException.of(failure).status(), System.nanoTime() - start);
            }
            metrics.left();
        });
        return response;
    }

    private CompletableFuture<InferenceResponse> failed(Exception e, long start) {
        metrics.failed(InferenceException.of(e).status(), System.nanoTime() - start);
        metrics.left();
        return CompletableFuture.failedFuture(e);
    }

    /** Whether another request could be admitted now. */
    boolean queueHasRoom() {
        return scheduler.hasRoom();
    }

    ModelMetadata metadata(List<String> readyVersionsNewestFirst) {
        Optional<String> shape = model instanceof ModelVersion trained ? Optional.of(trained.manifest().shape())
                : Optional.empty();
        return new ModelMetadata(model.name(), readyVersionsNewestFirst, TritonModelConfig.PLATFORM, inputs(), outputs(),
                shape, plan.name(), plan.candidate(),
                plan.measuredMicros(), plan.split(), parameters, labels, maxBatchSize, settings, configuration);
    }

    ModelStatistics statistics() {
        return metrics.statistics(scheduler.waiting());
    }

    /** Closes the sessions of every instance, once; no request may be running. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            scheduler.close();
        }
    }

    /**
     * The requested outputs of one request's rows of every output, in their API shapes: raw, or as the
     * classification extension.
     */
    private List<Tensor> buildOutputs(List<RequestedOutput> requested, List<Tensor> computed) {
        List<Tensor> built = new ArrayList<>(requested.size());
        for (RequestedOutput wanted : requested) {
            ServedTensor served = outputs().stream().filter(tensor -> tensor.name().equals(wanted.name())).findFirst()
                    .orElseThrow();
            Tensor output = served.toApi(computed.stream().filter(tensor -> tensor.name().equals(wanted.name()))
                    .findFirst().orElseThrow());
            int k = wanted.classificationTopK();
            built.add(k == 0 ? output : Classification.output(output, k, labels));
        }
        return built;
    }
}
