package io.shallowserve.server.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Metrics and statistics of one served model version: Micrometer meters (Prometheus names
 * {@code shallowserve_requests_total}, {@code shallowserve_queue_seconds}, {@code shallowserve_compute_seconds},
 * {@code shallowserve_branch_compute_seconds}, {@code shallowserve_inflight_requests},
 * {@code shallowserve_batch_size}, {@code shallowserve_batch_requests}; tags model, version, plan) and the
 * cumulative counts of {@link ModelStatistics},
 * kept in LongAdders so that concurrent requests do not contend on them.
 */
final class VersionMetrics {

    static final String REQUESTS = "shallowserve.requests";
    static final String SUCCESS = "success";

    private final String model;
    private final String version;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter succeeded;
    private final Map<InferenceException.Status, Counter> failed = new EnumMap<>(InferenceException.Status.class);
    private final Timer queueTimer;
    private final Timer computeTimer;
    private final Timer[] branchTimers;
    private final DistributionSummary batchSizes;
    private final DistributionSummary batchRequests;
    private final AtomicInteger inFlight = new AtomicInteger();

    private final Totals success = new Totals();
    private final Totals failure = new Totals();
    private final Totals queue = new Totals();
    private final Totals computeInput = new Totals();
    private final Totals computeInfer = new Totals();
    private final Totals computeOutput = new Totals();
    private final LongAdder inferences = new LongAdder();
    private final LongAdder executions = new LongAdder();
    private final Map<Integer, BatchTotals> batches = new ConcurrentHashMap<>();
    private volatile long lastInferenceMillis;

    VersionMetrics(MeterRegistry registry, String model, String version, String plan, int branches,
            int maxBatchSize) {
        this.model = model;
        this.version = version;
        this.registry = registry;
        Tags tags = Tags.of("model", model, "version", version, "plan", plan);
        succeeded = register(requestCounter(tags, SUCCESS));
        for (InferenceException.Status status : InferenceException.Status.values()) {
            failed.put(status, register(requestCounter(tags, status.name().toLowerCase())));
        }
        queueTimer = register(latencyTimer("shallowserve.queue", "time waiting for an execution slot", tags));
        computeTimer = register(latencyTimer("shallowserve.compute", "time running the execution plan", tags));
        branchTimers = new Timer[branches];
        for (int k = 0; k < branches; k++) {
            branchTimers[k] = register(latencyTimer("shallowserve.branch.compute",
                    "time one branch session of the branches plan ran", tags.and("branch", Integer.toString(k))));
        }
        batchSizes = register(DistributionSummary.builder("shallowserve.batch.size")
                .description("images per execution (dynamic batching merges requests)")
                .serviceLevelObjectives(batchBuckets(maxBatchSize))
                .tags(tags)
                .register(registry));
        batchRequests = register(DistributionSummary.builder("shallowserve.batch.requests")
                .description("requests per execution (1 without dynamic batching)")
                .serviceLevelObjectives(batchBuckets(maxBatchSize))
                .tags(tags)
                .register(registry));
        register(Gauge.builder("shallowserve.inflight.requests", inFlight, AtomicInteger::get)
                .description("requests queued or executing")
                .tags(tags)
                .register(registry));
    }

    /** The {@link #REQUESTS} counter of one outcome; the engine also counts requests no version received. */
    static Counter.Builder requestCounter(Tags tags, String outcome) {
        return Counter.builder(REQUESTS).description("inference requests by outcome").tags(tags)
                .tag("outcome", outcome);
    }

    void entered() {
        inFlight.incrementAndGet();
    }

    void left() {
        inFlight.decrementAndGet();
    }

    /**
     * One execution: a batch of {@code images} images from {@code requests} requests, the time merging their inputs,
     * running the plan and splitting the output back.
     */
    void executed(int images, int requests, long inputNanos, long computeNanos, long outputNanos,
            long[] branchNanos) {
        computeTimer.record(computeNanos, TimeUnit.NANOSECONDS);
        for (int k = 0; k < branchNanos.length && k < branchTimers.length; k++) {
            branchTimers[k].record(branchNanos[k], TimeUnit.NANOSECONDS);
        }
        batchSizes.record(images);
        batchRequests.record(requests);
        BatchTotals totals = batches.computeIfAbsent(images, size -> new BatchTotals());
        totals.input.add(inputNanos);
        totals.infer.add(computeNanos);
        totals.output.add(outputNanos);
        inferences.add(images);
        executions.increment();
        lastInferenceMillis = System.currentTimeMillis();
    }

    /**
     * The parts of one request's time, as Triton's statistics count them: each request of a batch is charged the
     * batch's whole compute time.
     */
    void timed(long queueNanos, long inputNanos, long inferNanos, long outputNanos) {
        queueTimer.record(queueNanos, TimeUnit.NANOSECONDS);
        queue.add(queueNanos);
        computeInput.add(inputNanos);
        computeInfer.add(inferNanos);
        computeOutput.add(outputNanos);
    }

    void succeeded(long nanos) {
        succeeded.increment();
        success.add(nanos);
    }

    /**
     * Counts a failure by its status. The statistics' {@code fail} counts those Triton counts: it leaves out requests
     * that did not fit the model, which Triton refuses before its statistics.
     */
    void failed(InferenceException.Status status, long nanos) {
        failed.get(status).increment();
        if (status.tritonFailureReason().isPresent()) {
            failure.add(nanos);
        }
    }

    /** @param pending the requests waiting for a batch now, which the version's queue knows */
    ModelStatistics statistics(int pending) {
        Map<InferenceException.Status, Long> failures = new EnumMap<>(InferenceException.Status.class);
        failed.forEach((status, counter) -> failures.put(status, (long) counter.count()));
        return new ModelStatistics(model, version, lastInferenceMillis, inferences.sum(), executions.sum(),
                success.snapshot(), failure.snapshot(), queue.snapshot(), computeInput.snapshot(),
                computeInfer.snapshot(), computeOutput.snapshot(), batches.entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(e -> new ModelStatistics.Batch(e.getKey(), e.getValue().input.snapshot(),
                                e.getValue().infer.snapshot(), e.getValue().output.snapshot()))
                        .toList(), failures, pending);
    }

    /** Removes this version's meters from the registry: the version no longer serves. */
    void remove() {
        meters.forEach(registry::remove);
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    private Counter register(Counter.Builder builder) {
        return register(builder.register(registry));
    }

    private Timer latencyTimer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).serviceLevelObjectives(MeterConventions.latencyBuckets()).tags(tags)
                .register(registry);
    }

    /** 1, 2, 4, ... up to the largest batch; 1 alone for a model without a batch dimension (max batch size 0). */
    private static double[] batchBuckets(int maxBatchSize) {
        List<Double> buckets = new ArrayList<>();
        for (int size = 1; size < maxBatchSize; size *= 2) {
            buckets.add((double) size);
        }
        buckets.add((double) Math.max(1, maxBatchSize));
        return buckets.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The times of the executions of one batch size. */
    private static final class BatchTotals {
        final Totals input = new Totals();
        final Totals infer = new Totals();
        final Totals output = new Totals();
    }

    /** A count and a sum of nanoseconds. */
    private static final class Totals {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();

        void add(long elapsedNanos) {
            count.increment();
            nanos.add(elapsedNanos);
        }

        ModelStatistics.Duration snapshot() {
            return new ModelStatistics.Duration(count.sum(), nanos.sum());
        }
    }
}
