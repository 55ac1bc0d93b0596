package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shallowserve.server.exec.PlanLoader;
import io.shallowserve.server.exec.SessionFactory;
import io.shallowserve.server.repository.ModelRepository;
import io.shallowserve.server.repository.ModelVersion;
import io.shallowserve.server.repository.ModelVersionException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The API the protocol front-ends call. {@link #start} loads every version in the model repository; a version that
 * fails to load is UNAVAILABLE with its reason and the others serve. Requests are checked, queued per model and run
 * on each version's execution plan. Shutdown is two steps: {@link #drain()} makes {@link #ready()} false so that
 * load balancers stop sending while requests still arriving are served; {@link #close()} waits (bounded) for the
 * requests still running, then closes every session and the branch pool.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InferenceEngine.class.getName());
    private static final long CLOSE_POLL_MILLIS = 5;

    private final EngineConfig config;
    private final MeterRegistry registry;
    private final ExecutorService branchPool;
    /** Every version found, by model name, then version number. */
    private final Map<String, TreeMap<Integer, ModelState>> index;
    /** The READY versions, by model name, then version number. */
    private final Map<String, TreeMap<Integer, ServedVersion>> served;
    private final Map<String, AdmissionQueue> queues;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean closed;

    private InferenceEngine(EngineConfig config, MeterRegistry registry, ExecutorService branchPool,
            Map<String, TreeMap<Integer, ModelState>> index, Map<String, TreeMap<Integer, ServedVersion>> served,
            Map<String, AdmissionQueue> queues) {
        this.config = config;
        this.registry = registry;
        this.branchPool = branchPool;
        this.index = index;
        this.served = served;
        this.queues = queues;
    }

    /**
     * Loads every model version under {@code config.repository()}.
     *
     * @throws IllegalArgumentException if the repository is not a directory or the device is not cpu or cuda:&lt;id&gt;
     */
    public static InferenceEngine start(EngineConfig config, MeterRegistry registry) {
        List<ModelRepository.VersionFolder> folders = ModelRepository.versionFolders(config.repository());
        SessionFactory sessions = new SessionFactory(config.device());
        ExecutorService branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("shallowserve-branch-", 0).daemon(true).factory());
        PlanLoader loader = new PlanLoader(sessions, branchPool, config.intraOpThreads());
        Map<String, TreeMap<Integer, ModelState>> index = new LinkedHashMap<>();
        Map<String, TreeMap<Integer, ServedVersion>> served = new LinkedHashMap<>();
        Map<String, AdmissionQueue> queues = new LinkedHashMap<>();
        try {
            for (ModelRepository.VersionFolder folder : folders) {
                ModelState state = load(folder, loader, config, registry, queues, served);
                index.computeIfAbsent(folder.name(), name -> new TreeMap<>()).put(folder.version(), state);
            }
        } catch (RuntimeException e) {
            // Not a broken version (those are UNAVAILABLE) but a bug or a failing runtime: close what was opened.
            served.values().forEach(versions -> versions.values().forEach(ServedVersion::close));
            branchPool.shutdownNow();
            throw e;
        }
        if (served.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no model version in {0} is READY; the server will not be ready",
                    config.repository().toAbsolutePath());
        }
        return new InferenceEngine(config, registry, branchPool, index, served, queues);
    }

    /** Verifies and opens one version; a broken one is UNAVAILABLE with the reason, the others are unaffected. */
    private static ModelState load(ModelRepository.VersionFolder folder, PlanLoader loader, EngineConfig config,
            MeterRegistry registry, Map<String, AdmissionQueue> queues,
            Map<String, TreeMap<Integer, ServedVersion>> served) {
        String version = Integer.toString(folder.version());
        try {
            ModelVersion model = ModelRepository.verify(folder);
            PlanLoader.LoadedPlan plan = loader.load(model, config.plan());
            AdmissionQueue queue = queues.computeIfAbsent(folder.name(),
                    name -> new AdmissionQueue(name, config.maxConcurrentPerModel(), config.maxQueuedPerModel()));
            served.computeIfAbsent(folder.name(), name -> new TreeMap<>()).put(folder.version(), new ServedVersion(
                    model, plan.plan(), plan.measuredMicros(), queue, config.maxBatchSize(), registry));
            LOG.log(System.Logger.Level.INFO, "{0}/{1}: READY, {2} model, plan {3}{4}, {5} parameters, input {6}",
                    folder.name(), version, model.manifest().shape(), plan.plan().name(),
                    describeMeasurements(plan.measuredMicros()), Long.toString(model.manifest().parameters()),
                    model.manifest().input().name() + " " + model.manifest().input().datatype() + " "
                            + model.manifest().input().shape());
            return new ModelState(folder.name(), version, ModelState.State.READY, "");
        } catch (ModelVersionException e) {
            LOG.log(System.Logger.Level.WARNING, "{0}/{1}: UNAVAILABLE: {2}", folder.name(), version, e.getMessage());
            return new ModelState(folder.name(), version, ModelState.State.UNAVAILABLE, e.getMessage());
        }
    }

    /** True until {@link #close()}. */
    public boolean live() {
        return !closed;
    }

    /** Not draining or closed, and at least one model version READY. */
    public boolean ready() {
        return !draining && !closed && !served.isEmpty();
    }

    /** Every version found in the repository, by model name and version, READY or UNAVAILABLE with its reason. */
    public List<ModelState> index() {
        return index.values().stream().flatMap(versions -> versions.values().stream()).toList();
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
        List<String> readyNewestFirst = served.get(model).descendingKeySet().stream().map(String::valueOf).toList();
        return servedVersion.metadata(readyNewestFirst);
    }

    /**
     * Runs one request. Failures: NOT_FOUND (unknown model or version), UNAVAILABLE (the version failed to load, or
     * the engine is closed), INVALID_ARGUMENT, RESOURCE_EXHAUSTED (the model's queue is full), DEADLINE_EXCEEDED
     * (not executed), INTERNAL (ONNX Runtime failed).
     */
    public InferenceResponse infer(InferenceRequest request) throws InferenceException {
        // Count first, then check: close() sets `closed` first, then waits for the count, so no request slips past.
        inFlight.incrementAndGet();
        try {
            ServedVersion servedVersion;
            try {
                if (closed) {
                    throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                            "the server is shutting down; send the request to another replica");
                }
                servedVersion = resolve(request.model(), request.version());
            } catch (InferenceException e) {
                countUnserved(request.model(), e.status());
                throw e;
            }
            return servedVersion.infer(request);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Statistics of the READY versions: {@code model} "" = every model; {@code version} "" = every READY version of
     * the model.
     */
    public List<ModelStatistics> statistics(String model, String version) throws InferenceException {
        if (model.isEmpty()) {
            return served.values().stream().flatMap(versions -> versions.values().stream())
                    .map(ServedVersion::statistics).toList();
        }
        if (version.isEmpty()) {
            requireKnown(model);
            TreeMap<Integer, ServedVersion> versions = served.getOrDefault(model, new TreeMap<>());
            return versions.values().stream().map(ServedVersion::statistics).toList();
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

    /**
     * Graceful shutdown, step 2: refuses new requests, waits up to the configured close timeout for the running
     * ones, then closes every session and the branch pool.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        draining = true;
        closed = true;
        long deadline = System.nanoTime() + config.closeTimeout().toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
                Thread.sleep(CLOSE_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inFlight.get() > 0) {
            LOG.log(System.Logger.Level.WARNING, "closing with {0} requests still running after {1}", inFlight.get(),
                    config.closeTimeout());
        }
        served.values().forEach(versions -> versions.values().forEach(ServedVersion::close));
        branchPool.shutdown();
        try {
            if (!branchPool.awaitTermination(config.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                branchPool.shutdownNow();
            }
        } catch (InterruptedException e) {
            branchPool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.log(System.Logger.Level.INFO, "closed");
    }

    /** The queue of a model that has a READY version; tests in this package hold its slots. */
    AdmissionQueue admissionQueue(String model) {
        return queues.get(model);
    }

    /** The READY version asked for: version "" is the newest READY one. */
    private ServedVersion resolve(String model, String version) throws InferenceException {
        TreeMap<Integer, ModelState> versions = requireKnown(model);
        TreeMap<Integer, ServedVersion> ready = served.get(model);
        if (version == null || version.isEmpty()) {
            if (ready == null) {
                throw new InferenceException(InferenceException.Status.UNAVAILABLE, "model " + model
                        + " has no READY version: " + versions.values().stream()
                                .map(s -> "version " + s.version() + ": " + s.reason())
                                .collect(Collectors.joining("; ")));
            }
            return ready.lastEntry().getValue();
        }
        ModelState state = versionNumber(version) > 0 ? versions.get(versionNumber(version)) : null;
        if (state == null) {
            throw InferenceException.notFound("model " + model + " has no version '" + version + "'; it has "
                    + versions.values().stream().map(s -> s.version() + " (" + s.state() + ")")
                            .collect(Collectors.joining(", ")));
        }
        if (state.state() == ModelState.State.UNAVAILABLE) {
            throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                    "model " + model + " version " + version + " is unavailable: " + state.reason());
        }
        return ready.get(versionNumber(version));
    }

    private TreeMap<Integer, ModelState> requireKnown(String model) throws InferenceException {
        TreeMap<Integer, ModelState> versions = index.get(model);
        if (versions == null) {
            throw InferenceException.notFound("unknown model '" + model + "'; this server has "
                    + (index.isEmpty() ? "no models" : "models " + String.join(", ", index.keySet())));
        }
        return versions;
    }

    /** Counts a request that reached no version, tagged with the model only if the repository knows the name. */
    private void countUnserved(String model, InferenceException.Status status) {
        String knownModel = index.containsKey(model) ? model : MeterConventions.UNKNOWN_MODEL;
        VersionMetrics.requestCounter(Tags.of("model", knownModel, "version", "", "plan", ""),
                status.name().toLowerCase()).register(registry).increment();
    }

    /** What `auto` measured, for the start-up line: " (auto, batch-1 median: single 152.1 µs, branches 226.6 µs)". */
    private static String describeMeasurements(Map<String, Double> micros) {
        if (micros.isEmpty()) {
            return "";
        }
        return micros.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue()) + " µs")
                .collect(Collectors.joining(", ", " (auto, batch-1 median: ", ")"));
    }

    private static int versionNumber(String version) {
        if (version.isEmpty() || version.length() > 9 || !version.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(version);
    }
}
