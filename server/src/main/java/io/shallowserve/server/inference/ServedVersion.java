package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.shallowserve.server.exec.BranchesPlan;
import io.shallowserve.server.exec.PlanLoader;
import io.shallowserve.server.repository.ModelManifest;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ModelVersion;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One READY model version: checks a request against the manifest, queues it on the version's scheduler (its
 * execution instances and dynamic batcher) and builds the requested outputs, recording metrics and statistics on
 * the way.
 *
 * <p>A reload or unload retires a version: requests that already hold it finish on it, new ones no longer get it,
 * and the last one out closes its sessions.
 */
final class ServedVersion {

    static final String PLATFORM = "onnxruntime_onnx";
    private static final String FP32 = "FP32";
    private static final String BYTES = "BYTES";
    /** The sign bit of {@link #users}: retired, no new user. */
    private static final int RETIRED = Integer.MIN_VALUE;

    private final ModelVersion model;
    private final String planName;
    private final Map<String, Double> planMicros;
    private final ModelSettings settings;
    private final int maxBatchSize;
    private final VersionMetrics metrics;
    private final BatchScheduler scheduler;
    private final ModelManifest.Tensor input;
    private final ModelManifest.Tensor output;
    private final String expectedInput;
    /** Requests holding this version, plus {@link #RETIRED} once retired. */
    private final AtomicInteger users = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Executor closer;

    /**
     * @param plan      the version's execution instances; this version owns them from now on
     * @param maxQueued requests that may wait for an instance
     * @param closer    where the sessions of a retired version are closed, off the request's thread
     */
    ServedVersion(ModelVersion model, PlanLoader.LoadedPlan plan, ModelSettings settings, int maxBatchSize,
            int maxQueued, MeterRegistry registry, Executor closer) {
        this.model = model;
        this.planName = plan.name();
        this.planMicros = plan.measuredMicros();
        this.settings = settings;
        this.maxBatchSize = maxBatchSize;
        this.closer = closer;
        this.input = model.manifest().input();
        this.output = model.manifest().output();
        this.expectedInput = "FP32 " + input.shape() + " (-1 = batch)";
        int branches = plan.instances().getFirst() instanceof BranchesPlan branchesPlan
                ? branchesPlan.branchCount() : 0;
        this.metrics = new VersionMetrics(registry, model.name(), version(), planName, branches, maxBatchSize);
        this.scheduler = new BatchScheduler(model.name() + " version " + model.version(), plan.instances(),
                settings.batching(), maxBatchSize, maxQueued, model.classes(), metrics);
    }

    String version() {
        return Integer.toString(model.version());
    }

    ModelVersion model() {
        return model;
    }

    ModelSettings settings() {
        return settings;
    }

    /** Takes this version for one request; false once it is retired (the caller looks the version up again). */
    boolean acquire() {
        while (true) {
            int current = users.get();
            if (current < 0) {
                return false;
            }
            if (users.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Gives back what {@link #acquire()} took; the last request out of a retired version closes it. */
    void release() {
        if (users.decrementAndGet() == RETIRED) {
            closeLater();
        }
    }

    /**
     * No new request gets this version; its meters go at once (a reload of the same version number registers them
     * again) and its sessions close once the requests holding it finished.
     */
    void retire() {
        removeMeters();
        if (users.getAndUpdate(count -> count | RETIRED) == 0) {
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
        InferInput pixels;
        List<RequestedOutput> outputs;
        try {
            scheduler.admit();
        } catch (InferenceException e) {
            return failed(e, start);
        }
        try {
            request = decoder.decode();
            pixels = validInput(request.inputs());
            outputs = validOutputs(request.outputs());
        } catch (InferenceException | RuntimeException e) {
            scheduler.abandon();
            return failed(e, start);
        }
        int batch = (int) pixels.shape()[0];
        long validated = System.nanoTime();
        CompletableFuture<BatchScheduler.Executed> executed =
                scheduler.submit(pixels.values(), batch, request.deadlineNanoTime());
        CompletableFuture<InferenceResponse> response = executed.thenApply(done -> {
            long outputStart = System.nanoTime();
            List<InferOutput> built = buildOutputs(outputs, done.logits(), batch);
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
        ModelManifest m = model.manifest();
        return new ModelMetadata(model.name(), readyVersionsNewestFirst, PLATFORM,
                List.of(new TensorMetadata(input.name(), input.datatype(), input.shape())),
                List.of(new TensorMetadata(output.name(), output.datatype(), output.shape())),
                m.shape(), planName, planMicros, m.parameters(), m.labels(), maxBatchSize, settings);
    }

    ModelStatistics statistics() {
        return metrics.statistics();
    }

    /** Closes the sessions of every instance, once; no request may be running. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            scheduler.close();
        }
    }

    private InferInput validInput(List<InferInput> inputs) throws InferenceException {
        if (inputs == null || inputs.isEmpty()) {
            throw invalid("missing input '" + input.name() + "': model " + model.name() + " expects one input, "
                    + expectedInput);
        }
        for (InferInput given : inputs) {
            if (!input.name().equals(given.name())) {
                throw invalid("unknown input '" + given.name() + "': model " + model.name() + " has one input, '"
                        + input.name() + "', " + expectedInput);
            }
        }
        if (inputs.size() > 1) {
            throw invalid("input '" + input.name() + "' appears " + inputs.size() + " times; send it once");
        }
        InferInput given = inputs.getFirst();
        if (!FP32.equals(given.datatype())) {
            throw invalid("input '" + input.name() + "' has datatype " + given.datatype() + "; model " + model.name()
                    + " expects " + FP32);
        }
        long[] shape = given.shape();
        if (shape == null || shape.length != input.shape().size()) {
            throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + " of rank "
                    + (shape == null ? 0 : shape.length) + "; model " + model.name() + " expects rank "
                    + input.shape().size() + ", " + expectedInput);
        }
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] != input.shape().get(d)) {
                throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + "; dimension " + d
                        + " must be " + input.shape().get(d) + " (model " + model.name() + " expects "
                        + expectedInput + ")");
            }
        }
        if (shape[0] < 1) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; send at least one image");
        }
        if (shape[0] > maxBatchSize) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; model " + model.name()
                    + " takes at most " + maxBatchSize + " images per request, split the batch");
        }
        long expectedValues = shape[0] * model.imageSize();
        int values = given.values() == null ? 0 : given.values().length;
        if (values != expectedValues) {
            throw invalid("input '" + input.name() + "' has " + values + " values; shape " + Arrays.toString(shape)
                    + " needs " + expectedValues);
        }
        return given;
    }

    private List<RequestedOutput> validOutputs(List<RequestedOutput> requested) throws InferenceException {
        if (requested == null || requested.isEmpty()) {
            return List.of(new RequestedOutput(output.name(), 0));
        }
        for (RequestedOutput wanted : requested) {
            if (!output.name().equals(wanted.name())) {
                throw invalid("unknown output '" + wanted.name() + "': model " + model.name() + " has one output, '"
                        + output.name() + "'");
            }
            if (wanted.classificationTopK() < 0 || wanted.classificationTopK() > model.classes()) {
                throw invalid("output '" + output.name() + "' asks for the top " + wanted.classificationTopK()
                        + " classes; model " + model.name() + " has " + model.classes()
                        + " (ask for 1 to " + model.classes() + ", or 0 for the raw logits)");
            }
        }
        return requested;
    }

    private List<InferOutput> buildOutputs(List<RequestedOutput> requested, float[] logits, int batch) {
        List<InferOutput> built = new ArrayList<>(requested.size());
        int classes = model.classes();
        for (RequestedOutput wanted : requested) {
            int k = wanted.classificationTopK();
            if (k == 0) {
                built.add(new InferOutput(output.name(), FP32, new long[] {batch, classes}, logits, null));
            } else {
                built.add(new InferOutput(output.name(), BYTES, new long[] {batch, k}, null,
                        topClasses(logits, batch, k)));
            }
        }
        return built;
    }

    /**
     * The classification extension as Triton writes it: per image the k highest logits as "score:index:label",
     * highest first, the score being the raw output value formatted like C++'s std::to_string (six decimals).
     */
    private List<String> topClasses(float[] logits, int batch, int k) {
        int classes = model.classes();
        List<String> labels = model.manifest().labels();
        List<String> strings = new ArrayList<>(batch * k);
        Integer[] order = new Integer[classes];
        for (int image = 0; image < batch; image++) {
            int row = image * classes;
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[row + b], logits[row + a]));
            for (int rank = 0; rank < k; rank++) {
                int c = order[rank];
                strings.add(String.format(Locale.ROOT, "%f:%d:%s", logits[row + c], c, labels.get(c)));
            }
        }
        return strings;
    }

    private static InferenceException invalid(String message) {
        return InferenceException.invalid(message);
    }
}
