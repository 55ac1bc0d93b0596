package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What the protocol front-ends call for requests: finds the version of the model a request names among those the
 * {@link ModelLoader} serves, admits the request to that version's queue and submits it; answers health, readiness,
 * metadata and statistics. Requests in flight finish on the version they started on, even when a load swaps it out.
 *
 * <p>Shutdown is two steps: {@link #drain()} makes {@link #ready()} false so that load balancers stop sending while
 * requests still arriving are served; {@link InferenceEngine#close()} then has the router refuse new requests and
 * wait (bounded) for the running ones before the loader closes the models.
 */
public final class RequestRouter {

    private static final System.Logger LOG = System.getLogger(RequestRouter.class.getName());
    private static final long CLOSE_POLL_MILLIS = 5;

    private final ModelLoader loader;
    private final Duration closeTimeout;
    private final MeterRegistry registry;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean closed;

    /**
     * @param closeTimeout how long {@link #close()} waits for requests still running
     * @param registry     where requests that reach no version are counted
     */
    RequestRouter(ModelLoader loader, Duration closeTimeout, MeterRegistry registry) {
        this.loader = loader;
        this.closeTimeout = closeTimeout;
        this.registry = registry;
    }

    /** True until the engine closes. */
    public boolean live() {
        return !closed;
    }

    /**
     * Not draining or closed, on the device configured unless {@link Readiness#cpuFallback()} allows the CPU, and
     * serving the models that {@link Readiness#models()} asks for.
     */
    public boolean ready() {
        return !draining && !closed && loader.notReady() == null;
    }

    /** Whether the version ("" = the newest READY one) of the model is READY and the engine not closed. */
    public boolean modelReady(String model, String version) {
        if (closed) {
            return false;
        }
        try {
            resolve(model, version);
            return true;
        } catch (InferenceException e) {
            return false;
        }
    }

    public ModelMetadata metadata(String model, String version) throws InferenceException {
        ServedVersion servedVersion = resolve(model, version);
        List<String> readyNewestFirst = loader.model(model).versions().ready().descendingKeySet().stream()
                .map(String::valueOf).toList();
        return servedVersion.metadata(readyNewestFirst);
    }

    /** Decodes one request's tensors, once it was admitted: work of the front-end, done on its own thread. */
    @FunctionalInterface
    public interface RequestDecoder {
        InferenceRequest decode() throws InferenceException;
    }

    /**
     * Runs one request for {@code version} ("" = the newest READY one) of {@code model}: admits it (a full queue
     * refuses it at once, before its tensors are decoded), decodes it with {@code decoder} on the caller's thread,
     * checks it and queues it for the version's execution instances. The future completes on an instance's thread
     * with the response or an {@link InferenceException}: NOT_FOUND (unknown model or version), UNAVAILABLE (the
     * version is not loaded or failed to load, or the engine is closed), INVALID_ARGUMENT, RESOURCE_EXHAUSTED (the
     * version's queue is full), DEADLINE_EXCEEDED (not executed), INTERNAL (ONNX Runtime failed). Cancelling it
     * (its client went away) takes the request out of the queue if it has not started.
     */
    public CompletableFuture<InferenceResponse> submit(String model, String version, RequestDecoder decoder) {
        // Count first, then check: close() sets `closed` first, then waits for the count, so no request slips past.
        inFlight.incrementAndGet();
        ServedVersion servedVersion;
        try {
            if (closed) {
                throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                        "the server is shutting down; send the request to another replica");
            }
            servedVersion = acquire(model, version);
        } catch (InferenceException e) {
            countUnserved(model, e.status());
            inFlight.decrementAndGet();
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<InferenceResponse> response = servedVersion.infer(decoder);
        response.whenComplete((done, failure) -> {
            servedVersion.release();
            inFlight.decrementAndGet();
        });
        return response;
    }

    /**
     * Waits for a response {@link #submit} promised, on a thread that may wait (a virtual thread of a request);
     * interrupted, it cancels the request.
     */
    public static <T> T await(CompletableFuture<T> response) throws InferenceException {
        try {
            return response.get();
        } catch (ExecutionException | CancellationException e) {
            throw InferenceException.of(e);
        } catch (InterruptedException e) {
            response.cancel(false);
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                    "interrupted while waiting for the model; the server is stopping");
        }
    }

    /** Whether some READY version could queue another request now: under overload, every queue is full. */
    public boolean anyQueueHasRoom() {
        return loader.models().stream()
                .anyMatch(model -> model.versions().ready().values().stream().anyMatch(ServedVersion::queueHasRoom));
    }

    /** Statistics of every READY version of every model. */
    public List<ModelStatistics> statistics() {
        return loader.models().stream().flatMap(m -> m.versions().ready().values().stream())
                .map(ServedVersion::statistics).toList();
    }

    /**
     * Statistics of the READY versions: {@code model} "" = every model; {@code version} "" = every READY version of
     * the model.
     */
    public List<ModelStatistics> statistics(String model, String version) throws InferenceException {
        if (model.isEmpty()) {
            return statistics();
        }
        if (version.isEmpty()) {
            return loader.model(model).versions().ready().values().stream().map(ServedVersion::statistics).toList();
        }
        return List.of(resolve(model, version).statistics());
    }

    /** Graceful shutdown, step 1: {@link #ready()} becomes false; requests are still accepted and finish. */
    public void drain() {
        if (!draining) {
            draining = true;
            LOG.log(System.Logger.Level.INFO, "draining: not ready any more, {0} requests in flight", inFlight.get());
        }
    }

    /** Refuses new requests (UNAVAILABLE) and waits up to the close timeout for the running ones to finish. */
    void close() {
        if (closed) {
            return;
        }
        draining = true;
        closed = true;
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(CLOSE_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inFlight.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "closing with {0} requests still running after {1}", inFlight.get(),
                    closeTimeout);
        }
    }

    /** Takes the READY version asked for ("" = the newest) for one request, see {@link ServedVersion#acquire}. */
    private ServedVersion acquire(String model, String version) throws InferenceException {
        while (true) {
            ServedVersion found = resolve(model, version);
            if (found.acquire()) {
                return found;
            }
            // Retired between the look-up and the acquire: its successor is already published.
        }
    }

    /** The READY version asked for: version "" is the newest READY one. */
    private ServedVersion resolve(String model, String version) throws InferenceException {
        ServedModel.Versions versions = loader.model(model).versions();
        if (version == null || version.isEmpty()) {
            if (versions.ready().isEmpty()) {
                throw new InferenceException(InferenceException.Status.UNAVAILABLE, "model " + model
                        + " has no READY version: " + versions.describe());
            }
            return versions.ready().lastEntry().getValue();
        }
        int number = versionNumber(version);
        ServedVersion ready = versions.ready().get(number);
        if (ready != null) {
            return ready;
        }
        ModelState state = versions.states().get(number);
        if (state == null) {
            throw InferenceException.notFound("model " + model + " has no version '" + version + "'; it has "
                    + (versions.states().isEmpty() ? "none"
                            : versions.states().values().stream().map(s -> s.version() + " (" + s.state() + ")")
                                    .collect(Collectors.joining(", "))));
        }
        throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                "model " + model + " version " + version + " is unavailable: " + state.reason());
    }

    /** Counts a request that reached no version, tagged with the model only if the repository knows the name. */
    private void countUnserved(String model, InferenceException.Status status) {
        String knownModel = loader.loaded(model) ? model : MeterConventions.UNKNOWN_MODEL;
        VersionMetrics.requestCounter(Tags.of("model", knownModel, "version", "", "plan", ""),
                status.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    private static int versionNumber(String version) {
        if (version.isEmpty() || version.length() > 9 || !version.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(version);
    }
}
