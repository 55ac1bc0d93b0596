package io.shallowserve.server.observe;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.MeterConventions;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

    /**
     * Starts one inference request for {@code model} (decoding, engine, encoding) and times it until the future
     * {@code call} returns completes, counting its outcome. A call that throws counts as INTERNAL and fails the
     * returned future.
     */
    public <T> CompletableFuture<T> record(String model, Supplier<CompletableFuture<T>> call) {
        String modelTag = inFlight.containsKey(model) || knownModel.test(model) ? model
                : MeterConventions.UNKNOWN_MODEL;
        AtomicInteger active = inFlight.computeIfAbsent(modelTag, this::inFlightGauge);
        active.incrementAndGet();
        long start = System.nanoTime();
        CompletableFuture<T> result;
        try {
            result = call.get();
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((done, failure) -> {
            active.decrementAndGet();
            String outcome = failure == null ? SUCCESS
                    : InferenceException.of(failure).status().name().toLowerCase(Locale.ROOT);
            latency.withTags("model", modelTag, "outcome", outcome)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        });
        return result;
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
