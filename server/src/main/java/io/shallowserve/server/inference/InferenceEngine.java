package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API the protocol front-ends call. {@link #start} loads every model of the repository; a version that fails
 * to load is UNAVAILABLE with its reason and the others serve. Requests are checked, queued per model version
 * (dynamic batching where configured) and run on the version's execution instances.
 *
 * <p>The repository can change while serving: {@link #load} reads one model again (a new version is loaded and
 * checked beside the old ones, then swapped in at once; a version that fails leaves the ones serving as they are),
 * {@link #unload} takes a model out of service, and optional polling loads what changed on disk. Requests in flight
 * finish on the version they started on.
 *
 * <p>Shutdown is two steps: {@link #drain()} makes {@link #ready()} false so that load balancers stop sending while
 * requests still arriving are served; {@link #close()} waits (bounded) for the requests still running, then closes
 * every session and the thread pools.
 */
public final class InferenceEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(InferenceEngine.class.getName());
    private static final long CLOSE_POLL_MILLIS = 5;
    /** A model name is one folder name: no separators, not "." or "..", not hidden. */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");

    private final EngineConfig config;
    private final MeterRegistry registry;
    private final ExecutorService branchPool;
    /** Closes the sessions of retired versions, off the threads of the requests that finished on them. */
    private final ExecutorService closer;
    private final ScheduledExecutorService poller;
    private final SessionFactory sessions;
    private final PlanLoader loader;
    /** Every model loaded at least once, by name. */
    private final Map<String, ServedModel> models = new ConcurrentSkipListMap<>();
    /** Models whose start-up load failed in part or whole, until a load of them succeeds (readiness ALL). */
    private final Set<String> failedAtStart = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;
    private volatile boolean closed;

    private InferenceEngine(EngineConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("shallowserve-branch-", 0).daemon(true).factory());
        this.closer = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("shallowserve-unload").daemon(true).factory());
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("shallowserve-repository-poll").daemon(true).factory());
        this.sessions = new SessionFactory(config.device());
        this.loader = new PlanLoader(sessions, branchPool, config.intraOpThreads());
    }

    /**
     * Loads every model under {@code config.repository()}, and starts polling it if configured.
     *
     * @throws IllegalArgumentException if the repository is not a directory, the device is not cpu or
     *                                  cuda:&lt;id&gt;, or a preferred batch size is over the largest batch
     */
    public static InferenceEngine start(EngineConfig config, MeterRegistry registry) {
        List<String> names = ModelRepository.modelNames(config.repository());
        requireBatchSizes(config.serving(), config.maxBatchSize());
        InferenceEngine engine = new InferenceEngine(config, registry);
        try {
            for (String name : names) {
                if (!engine.loadLogged(name)) {
                    engine.failedAtStart.add(name);
                }
            }
        } catch (RuntimeException e) {
            // Not a broken version (those are UNAVAILABLE) but a bug or a failing runtime: close what was opened.
            engine.close();
            throw e;
        }
        String notReady = engine.notReady();
        if (notReady != null) {
            LOG.log(System.Logger.Level.WARNING, "the server will not be ready: {0}", notReady);
        }
        if (config.repositoryPoll().isPositive()) {
            long millis = config.repositoryPoll().toMillis();
            engine.poller.scheduleWithFixedDelay(engine::pollLogged, millis, millis, TimeUnit.MILLISECONDS);
        }
        return engine;
    }

    /** True until {@link #close()}. */
    public boolean live() {
        return !closed;
    }

    /**
     * Not draining or closed, on the device configured unless {@link Readiness#cpuFallback()} allows the CPU, and
     * serving the models that {@link Readiness#models()} asks for.
     */
    public boolean ready() {
        return notReady() == null;
    }

    /** Why {@link #ready()} is false, or null when it is true. */
    private String notReady() {
        if (draining || closed) {
            return "draining";
        }
        Readiness readiness = config.readiness();
        if (sessions.fellBackToCpu() && !readiness.cpuFallback()) {
            return "device " + config.device() + " is not usable and the models run on the CPU, which"
                    + " shallowserve.readiness.cpu-fallback false does not count as ready";
        }
        return switch (readiness.models()) {
            case ANY -> models.values().stream().anyMatch(InferenceEngine::serves) ? null
                    : "no model version in " + config.repository().toAbsolutePath() + " is READY";
            case ALL -> {
                // A model whose folder was removed (and so unloaded by a poll) is no longer asked for.
                List<ServedModel> inRepository = models.values().stream().filter(model -> hasFolder(model.name()))
                        .toList();
                if (inRepository.isEmpty()) {
                    yield "the model repository " + config.repository().toAbsolutePath() + " has no model";
                }
                for (ServedModel model : inRepository) {
                    if (!serves(model)) {
                        yield "model " + model.name() + " has no READY version (shallowserve.readiness.models is all)";
                    }
                    if (failedAtStart.contains(model.name())) {
                        yield "model " + model.name() + " did not load every version its version policy selects at"
                                + " start-up (see the repository index; shallowserve.readiness.models is all)";
                    }
                }
                yield null;
            }
        };
    }

    private static boolean serves(ServedModel model) {
        return !model.versions().ready().isEmpty();
    }

    /** Whether {@code model} has a folder in the repository or was loaded from one: its name is worth a metric. */
    public boolean knows(String model) {
        return models.containsKey(model) || hasFolder(model);
    }

    /**
     * Every model of the repository and every model loaded from it, by name, then version: the versions the last
     * load considered, READY or UNAVAILABLE with the reason, and a model found on disk but not loaded as one entry
     * with version "" and state UNAVAILABLE.
     */
    public List<ModelState> index() {
        TreeMap<String, List<ModelState>> byModel = new TreeMap<>();
        models.forEach((name, model) -> byModel.put(name, List.copyOf(model.versions().states().values())));
        if (Files.isDirectory(config.repository())) {
            for (String name : ModelRepository.modelNames(config.repository())) {
                byModel.computeIfAbsent(name, unloaded -> List.of(new ModelState(unloaded, "",
                        ModelState.State.UNAVAILABLE, "not loaded; load it to serve it")));
            }
        }
        return byModel.values().stream().flatMap(List::stream).toList();
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
        List<String> readyNewestFirst = models.get(model).versions().ready().descendingKeySet().stream()
                .map(String::valueOf).toList();
        return servedVersion.metadata(readyNewestFirst);
    }

    /** The most images one request, and one dynamically formed batch, may carry: the same for every model. */
    public int maxBatchSize() {
        return config.maxBatchSize();
    }

    /** The CUDA device every model's sessions run on, -1 for the CPU; see {@link SessionFactory#cudaDevice()}. */
    public int cudaDevice() {
        return sessions.cudaDevice();
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

    /** {@link #submit} for a request already decoded, waiting for its response. */
    public InferenceResponse infer(InferenceRequest request) throws InferenceException {
        return await(submit(request.model(), request.version(), () -> request));
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
        return models.values().stream()
                .anyMatch(model -> model.versions().ready().values().stream().anyMatch(ServedVersion::queueHasRoom));
    }

    /**
     * Statistics of the READY versions: {@code model} "" = every model; {@code version} "" = every READY version of
     * the model.
     */
    public List<ModelStatistics> statistics(String model, String version) throws InferenceException {
        if (model.isEmpty()) {
            return models.values().stream().flatMap(m -> m.versions().ready().values().stream())
                    .map(ServedVersion::statistics).toList();
        }
        if (version.isEmpty()) {
            return requireKnown(model).versions().ready().values().stream().map(ServedVersion::statistics).toList();
        }
        return List.of(resolve(model, version).statistics());
    }

    /**
     * Reads {@code model} from the repository again and serves what its version policy selects: versions already
     * serving whose model.json and settings are unchanged stay as they are, new or changed ones are loaded and
     * checked beside them, then all swap in at once; versions no longer selected are unloaded once their requests
     * finished.
     *
     * @throws InferenceException NOT_FOUND if the repository has no folder {@code model}; FAILED_PRECONDITION if a
     *                            version or the model's serving.yaml failed, saying why and what serves instead (a
     *                            failed version never takes the place of one that serves), or if clients may not
     *                            load models here; UNAVAILABLE when the engine is shutting down
     */
    public void load(String model) throws InferenceException {
        load(model, Optional.empty());
    }

    /**
     * {@link #load(String)}, with {@code override} (if present) in place of the model's serving.yaml: its settings
     * over the server's defaults, and its declared tensors checked against every version served (a version that
     * has others fails to load, with the reason).
     */
    public void load(String model, Optional<ModelOverride> override) throws InferenceException {
        requireLoadApi("load");
        reload(model, override);
    }

    /** {@link #load}, also where clients may not load: at start-up and after a poll. */
    private void reload(String model, Optional<ModelOverride> override) throws InferenceException {
        requireOpen();
        if (!hasFolder(model)) {
            throw InferenceException.notFound("the model repository has no model folder '" + model
                    + "'; copy <model>/<version>/ into it, then load it");
        }
        ServedModel served = models.computeIfAbsent(model, ServedModel::new);
        synchronized (served) {
            String fingerprint = ModelRepository.fingerprint(config.repository(), model);
            ServedModel.Versions current = served.versions();
            ModelSettings settings;
            try {
                settings = override.isPresent() ? override.get().settings(config.serving())
                        : ModelSettings.forModel(config.repository().resolve(model), config.serving());
                requireBatchSizes(settings, config.maxBatchSize());
            } catch (ModelVersionException | IllegalArgumentException e) {
                if (override.isEmpty()) {
                    // What is on disk was tried: polling need not try it again until it changes.
                    served.fingerprint(fingerprint);
                }
                LOG.log(System.Logger.Level.WARNING, "{0}: not loaded: {1}", model, e.getMessage());
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "model " + model
                        + " was not loaded: " + e.getMessage() + servingNow(current));
            }
            List<String> failures = new ArrayList<>();
            ServedModel.Versions next = selectVersions(model, settings, override, current, failures);
            served.publish(next);
            served.fingerprint(fingerprint);
            if (!failures.isEmpty()) {
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "model " + model + ": "
                        + String.join("; ", failures) + servingNow(next));
            }
            if (next.ready().isEmpty()) {
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "model " + model
                        + " has no version to serve: " + describe(next));
            }
            failedAtStart.remove(model);
        }
    }

    /**
     * Takes {@code model} out of service: new requests are refused (UNAVAILABLE), requests in flight finish, then
     * its sessions close. Its folder stays in the repository; {@link #load} serves it again.
     *
     * @throws InferenceException NOT_FOUND if the model was never loaded; FAILED_PRECONDITION if clients may not
     *                            unload models here; UNAVAILABLE when shutting down
     */
    public void unload(String model) throws InferenceException {
        requireLoadApi("unload");
        retire(model);
    }

    /** {@link #unload}, also where clients may not unload: after a poll found the model's folder gone. */
    private void retire(String model) throws InferenceException {
        requireOpen();
        ServedModel served = requireKnown(model);
        synchronized (served) {
            TreeMap<Integer, ModelState> states = new TreeMap<>();
            served.versions().states().forEach((number, state) -> states.put(number, new ModelState(model,
                    state.version(), ModelState.State.UNAVAILABLE, "unloaded; load the model to serve it again")));
            served.publish(new ServedModel.Versions(states, new TreeMap<>()));
        }
    }

    /**
     * Loads every model whose folder changed since its last load (a version added, removed or re-exported, or its
     * serving.yaml changed) and unloads every model whose folder is gone.
     */
    public void pollRepository() {
        List<String> onDisk = ModelRepository.modelNames(config.repository());
        for (String name : onDisk) {
            ServedModel served = models.get(name);
            if (served == null || !served.fingerprint().equals(
                    ModelRepository.fingerprint(config.repository(), name))) {
                loadLogged(name);
            }
        }
        for (ServedModel served : models.values()) {
            if (!onDisk.contains(served.name()) && !served.versions().ready().isEmpty()) {
                try {
                    retire(served.name());
                } catch (InferenceException e) {
                    LOG.log(System.Logger.Level.DEBUG, "unload after poll: {0}", e.getMessage());
                }
            }
        }
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
     * ones, then closes every session and the thread pools.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        draining = true;
        closed = true;
        poller.shutdownNow();
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
        for (ServedModel served : models.values()) {
            synchronized (served) {
                served.versions().ready().values().forEach(ServedVersion::close);
            }
        }
        shutDown(closer);
        shutDown(branchPool);
        LOG.log(System.Logger.Level.INFO, "closed");
    }

    /** Loads at start-up and after a poll, where a failure is logged, not answered. */
    /** {@link #reload} with its failure logged; false if it failed. */
    private boolean loadLogged(String model) {
        try {
            reload(model, Optional.empty());
            return true;
        } catch (InferenceException e) {
            LOG.log(System.Logger.Level.DEBUG, "load of {0}: {1}", model, e.getMessage());
            return false;
        }
    }

    private void pollLogged() {
        try {
            pollRepository();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "polling the model repository failed: " + e.getMessage(), e);
        }
    }

    /**
     * The versions the policy selects, newest first: kept if already serving unchanged, loaded otherwise. Adds a
     * line to {@code failures} for every version that failed; a failed version that served before keeps serving.
     * With an {@code override}, a version whose tensors are not those it declares fails.
     */
    private ServedModel.Versions selectVersions(String model, ModelSettings settings,
            Optional<ModelOverride> override, ServedModel.Versions current, List<String> failures) {
        VersionPolicy policy = settings.versionPolicy();
        Map<Integer, ModelRepository.VersionFolder> folders = new TreeMap<>();
        ModelRepository.versionFolders(config.repository(), model).forEach(f -> folders.put(f.version(), f));
        TreeMap<Integer, ModelState> states = new TreeMap<>();
        TreeMap<Integer, ServedVersion> ready = new TreeMap<>();
        List<LoadedVersion> loaded = new ArrayList<>();
        for (int number : policy.candidates(List.copyOf(folders.keySet()))) {
            String version = Integer.toString(number);
            ServedVersion serving = current.ready().get(number);
            if (ready.size() + loaded.size() >= policy.wanted()) {
                states.put(number, new ModelState(model, version, ModelState.State.UNAVAILABLE,
                        "not served: version-policy " + policy + " serves the newest " + policy.wanted()
                                + " that load"));
                continue;
            }
            try {
                if (serving != null && serving.settings().equals(settings) && serving.model().manifestSha256()
                        .equals(ModelRepository.manifestSha256(folders.get(number).directory()))) {
                    requireDeclaredTensors(override, serving.model().manifest());
                    ready.put(number, serving);
                    states.put(number, new ModelState(model, version, ModelState.State.READY, ""));
                    continue;
                }
                ModelVersion verified = ModelRepository.verify(folders.get(number));
                requireDeclaredTensors(override, verified.manifest());
                loaded.add(new LoadedVersion(verified, loader.load(verified, config.plan(), settings.instances())));
                states.put(number, new ModelState(model, version, ModelState.State.READY, ""));
            } catch (ModelVersionException e) {
                LOG.log(System.Logger.Level.WARNING, "{0}/{1}: UNAVAILABLE: {2}", model, version, e.getMessage());
                failures.add("version " + version + " failed to load: " + e.getMessage());
                if (serving != null) {
                    ready.put(number, serving);
                    states.put(number, new ModelState(model, version, ModelState.State.READY,
                            "the version loaded before serves on; its reload failed: " + e.getMessage()));
                } else {
                    states.put(number, new ModelState(model, version, ModelState.State.UNAVAILABLE,
                            e.getMessage()));
                }
            }
        }
        folders.keySet().stream().filter(number -> !states.containsKey(number)).forEach(number -> states.put(number,
                new ModelState(model, Integer.toString(number), ModelState.State.UNAVAILABLE,
                        "not served: version-policy " + policy)));
        for (LoadedVersion version : loaded) {
            ServedVersion replaced = current.ready().get(version.model().version());
            if (replaced != null) {
                // Its successor registers meters of the same names and tags: they must be the successor's own.
                replaced.removeMeters();
            }
            ready.put(version.model().version(), serve(version, settings));
        }
        return new ServedModel.Versions(states, ready);
    }

    private static void requireDeclaredTensors(Optional<ModelOverride> override, ModelManifest manifest)
            throws ModelVersionException {
        Optional<String> mismatch = override.flatMap(o -> o.tensorMismatch(manifest));
        if (mismatch.isPresent()) {
            throw new ModelVersionException(mismatch.get());
        }
    }

    /** A version whose sessions are open, not yet serving. */
    private record LoadedVersion(ModelVersion model, PlanLoader.LoadedPlan plan) {}

    private ServedVersion serve(LoadedVersion loaded, ModelSettings settings) {
        ModelVersion model = loaded.model();
        ServedVersion served = new ServedVersion(model, loaded.plan(), settings, config.maxBatchSize(),
                config.maxQueued(), registry, closer);
        ModelSettings.Batching batching = settings.batching();
        LOG.log(System.Logger.Level.INFO, "{0}/{1}: READY, {2} model, plan {3}{4}, {5} instance(s), batching {6},"
                        + " {7} parameters, input {8}",
                model.name(), Integer.toString(model.version()), model.manifest().shape(), loaded.plan().name(),
                describeMeasurements(loaded.plan().measuredMicros()), Integer.toString(settings.instances()),
                batching.enabled() ? "on (max queue delay " + batching.maxQueueDelayMicros() + " µs"
                        + (batching.preferredBatchSizes().isEmpty() ? "" : ", preferred sizes "
                                + batching.preferredBatchSizes()) + ")" : "off",
                Long.toString(model.manifest().parameters()), model.manifest().input().name() + " "
                        + model.manifest().input().datatype() + " " + model.manifest().input().shape());
        return served;
    }

    /** What `auto` measured, for the READY line: " (auto, batch-1 median: single 152.1 µs, branches 226.6 µs)". */
    private static String describeMeasurements(Map<String, Double> micros) {
        if (micros.isEmpty()) {
            return "";
        }
        return micros.entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.1f", e.getValue()) + " µs")
                .collect(Collectors.joining(", ", " (auto, batch-1 median: ", ")"));
    }

    private static String servingNow(ServedModel.Versions versions) {
        return versions.ready().isEmpty() ? "; no version of it serves"
                : "; serving version " + versions.ready().keySet().stream().map(String::valueOf)
                        .collect(Collectors.joining(", ")) + " as before";
    }

    private static String describe(ServedModel.Versions versions) {
        return versions.states().isEmpty() ? "its folder has no version folder (<model>/<positive integer>/)"
                : versions.states().values().stream().map(s -> "version " + s.version() + ": " + s.reason())
                        .collect(Collectors.joining("; "));
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
        ServedModel.Versions versions = requireKnown(model).versions();
        if (version == null || version.isEmpty()) {
            if (versions.ready().isEmpty()) {
                throw new InferenceException(InferenceException.Status.UNAVAILABLE, "model " + model
                        + " has no READY version: " + describe(versions));
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

    private ServedModel requireKnown(String model) throws InferenceException {
        ServedModel served = models.get(model);
        if (served == null) {
            throw InferenceException.notFound("unknown model '" + model + "'; the repository index"
                    + " (POST /v2/repository/index, gRPC RepositoryIndex) lists the models this server has");
        }
        return served;
    }

    /** Whether {@code model} names a folder of the repository (and nothing outside it). */
    private boolean hasFolder(String model) {
        return MODEL_NAME.matcher(model).matches() && Files.isDirectory(config.repository().resolve(model));
    }

    private void requireLoadApi(String action) throws InferenceException {
        if (!config.loadApi()) {
            throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "this server does not let"
                    + " clients " + action + " models (shallowserve.repository.load-api is false); change the"
                    + " repository and let polling find it, or roll out a new server");
        }
    }

    private void requireOpen() throws InferenceException {
        if (closed) {
            throw new InferenceException(InferenceException.Status.UNAVAILABLE, "the server is shutting down");
        }
    }

    /** Counts a request that reached no version, tagged with the model only if the repository knows the name. */
    private void countUnserved(String model, InferenceException.Status status) {
        String knownModel = models.containsKey(model) ? model : MeterConventions.UNKNOWN_MODEL;
        VersionMetrics.requestCounter(Tags.of("model", knownModel, "version", "", "plan", ""),
                status.name().toLowerCase(Locale.ROOT)).register(registry).increment();
    }

    private static void requireBatchSizes(ModelSettings settings, int maxBatchSize) {
        for (int size : settings.batching().preferredBatchSizes()) {
            if (size > maxBatchSize) {
                throw new IllegalArgumentException("batching.preferred-batch-sizes has " + size
                        + ", over the largest batch (shallowserve.limits.batch = " + maxBatchSize + ")");
            }
        }
    }

    private void shutDown(ExecutorService pool) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static int versionNumber(String version) {
        if (version.isEmpty() || version.length() > 9 || !version.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(version);
    }
}
