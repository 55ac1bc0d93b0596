package io.shallowserve.server.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shallowserve.server.EngineCall;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.MeterConventions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The inference requests one protocol front-end serves, end to end (decoding, engine, encoding), per model: a
 * timer {@code shallowserve.frontend.requests} tagged with protocol, model and outcome ("success", or the
 * {@link InferenceException.Status} in lower case, as the engine's own {@code shallowserve.requests} counter has
 * it), whose count is the number of requests, and a gauge {@code shallowserve.frontend.inflight.requests}.
 *
 * <p>Model names outside the repository are tagged "unknown", so that clients cannot grow the number of series;
 * a model's in-flight gauge appears with its first request.
 * The timer publishes fixed buckets from 50 µs to 1 s instead of Micrometer's default histogram, whose lowest
 * bucket (1 ms) is above most of what this server does.
 */
public final class RequestMetrics {

    private static final String SUCCESS = "success";

    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final String protocol;
    private final Predicate<String> knownModel;
    private final MeterProvider<Timer> latency;

    /**
     * @param registry   where the meters live
     * @param protocol   "grpc" or "http"
     * @param knownModel whether a model name is in the repository
     */
    public RequestMetrics(MeterRegistry registry, String protocol, Predicate<String> knownModel) {
        this.registry = registry;
        this.protocol = protocol;
        this.knownModel = knownModel;
        this.latency = Timer.builder("shallowserve.frontend.requests")
                .description("inference requests by protocol, model and outcome, end to end in the front-end")
                .tag("protocol", protocol)
                .serviceLevelObjectives(MeterConventions.latencyBuckets())
                .withRegistry(registry);
    }

    /** Runs one inference request for {@code model}: decoding, engine, encoding; times it and counts its outcome. */
    public <T> T record(String model, EngineCall<T> call) throws InferenceException {
        String modelTag = inFlight.containsKey(model) || knownModel.test(model) ? model
                : MeterConventions.UNKNOWN_MODEL;
        AtomicInteger active = inFlight.computeIfAbsent(modelTag, this::inFlightGauge);
        active.incrementAndGet();
        long start = System.nanoTime();
        InferenceException.Status failure = InferenceException.Status.INTERNAL;
        try {
            T result = call.run();
            failure = null;
            return result;
        } catch (InferenceException e) {
            failure = e.status();
            throw e;
        } finally {
            active.decrementAndGet();
            String outcome = failure == null ? SUCCESS : failure.name().toLowerCase(Locale.ROOT);
            latency.withTags("model", modelTag, "outcome", outcome)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private AtomicInteger inFlightGauge(String model) {
        AtomicInteger count = new AtomicInteger();
        Gauge.builder("shallowserve.frontend.inflight.requests", count, AtomicInteger::get)
                .description("inference requests the front-end is serving")
                .tags("protocol", protocol, "model", model)
                .strongReference(true)
                .register(registry);
        return count;
    }
}
