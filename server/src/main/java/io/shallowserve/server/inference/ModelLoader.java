package io.shallowserve.server.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.shallowserve.runtime.exec.BranchesPlan;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.ModelGraph;
import io.shallowserve.runtime.exec.PlanLoader;
import io.shallowserve.runtime.exec.SessionFactory;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import io.shallowserve.runtime.repository.ModelVersionException;
import io.shallowserve.runtime.repository.ServableVersion;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.TritonModelConfig;
import io.shallowserve.server.repository.VersionPolicy;
import io.shallowserve.server.repository.WarmupSample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps the models of the repository loaded: {@link #start} loads every model; a version that fails to load is
 * UNAVAILABLE with its reason and the others serve. The repository can change while serving: {@link #load} reads
 * one model again (a new version is loaded and checked beside the old ones, then swapped in at once; a version that
 * fails leaves the ones serving as they are), {@link #unload} takes a model out of service, and optional polling
 * loads what changed on disk. A version swapped out is retired: its requests in flight finish on it.
 *
 * <p>The loader owns the engine's three thread pools: the branch pool the branches plans run their branches on,
 * the closer that closes the sessions of retired versions, and the repository poller. {@link #close()} stops them.
 */
public final class ModelLoader {

    private static final System.Logger LOG = System.getLogger(ModelLoader.class.getName());

    private final EngineConfig config;
    private final MeterRegistry registry;
    private final ExecutorService branchPool;
    /** Closes the sessions of retired versions, off the threads of the requests that finished on them. */
    private final ExecutorService closer;
    private final ScheduledExecutorService poller;
    private final SessionFactory sessions;
    private final PlanLoader planLoader;
    /** Every model loaded at least once, by name. */
    private final Map<String, ServedModel> models = new ConcurrentSkipListMap<>();
    /** Models whose start-up load failed in part or whole, until a load of them succeeds (readiness ALL). */
    private final Set<String> failedAtStart = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ModelLoader(EngineConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        this.branchPool = Executors.newFixedThreadPool(config.branchThreads(),
                Thread.ofPlatform().name("shallowserve-branch-", 0).daemon(true).factory());
        this.closer = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("shallowserve-unload").daemon(true).factory());
        this.poller = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("shallowserve-repository-poll").daemon(true).factory());
        this.sessions = new SessionFactory(config.device());
        this.planLoader = new PlanLoader(sessions, branchPool, config.intraOpThreads());
    }

    /**
     * Loads every model under {@code config.repository()}, and starts polling it if configured.
     *
     * @throws IllegalArgumentException as {@link InferenceEngine#start} says
     */
    static ModelLoader start(EngineConfig config, MeterRegistry registry) {
        List<String> names = ModelRepository.modelNames(config.repository());
        requireBatchSizes(config.serving(), config.maxBatchSize());
        ModelLoader loader = new ModelLoader(config, registry);
        try {
            for (String name : names) {
                Optional<String> nameProblem = ModelRepository.nameProblem(name);
                nameProblem.ifPresent(problem -> LOG.log(System.Logger.Level.WARNING, "not serving a model folder: "
                        + problem));
                if (nameProblem.isPresent() || !loader.loadLogged(name)) {
                    loader.failedAtStart.add(name);
                }
            }
        } catch (RuntimeException e) {
            // Not a broken version (those are UNAVAILABLE) but a bug or a failing runtime: close what was opened.
            loader.close();
            throw e;
        }
        String notReady = loader.notReady();
        if (notReady != null) {
            LOG.log(System.Logger.Level.WARNING, "the server will not be ready: {0}", notReady);
        }
        if (config.repositoryPoll().isPositive()) {
            long millis = config.repositoryPoll().toMillis();
            loader.poller.scheduleWithFixedDelay(loader::pollLogged, millis, millis, TimeUnit.MILLISECONDS);
        }
        return loader;
    }

    /**
     * Why the models do not count as ready, or null when they do: on the device configured unless
     * {@link Readiness#cpuFallback()} allows the CPU, and serving the models that {@link Readiness#models()} asks for.
     */
    String notReady() {
        Readiness readiness = config.readiness();
        if (sessions.fellBackToCpu() && !readiness.cpuFallback()) {
            return "device " + config.device() + " is not usable and the models run on the CPU, which"
                    + " shallowserve.readiness.cpu-fallback false does not count as ready";
        }
        return switch (readiness.models()) {
            case ANY -> models.values().stream().anyMatch(ModelLoader::serves) ? null
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

    /** Whether {@code model} was loaded at least once (it may serve no version now). */
    boolean loaded(String model) {
        return models.containsKey(model);
    }

    /** Every model loaded at least once. */
    Collection<ServedModel> models() {
        return models.values();
    }

    /**
     * The model loaded as {@code model}.
     *
     * @throws InferenceException NOT_FOUND if it was never loaded
     */
    ServedModel model(String model) throws InferenceException {
        ServedModel served = models.get(model);
        if (served == null) {
            throw InferenceException.notFound("unknown model '" + model + "'; the repository index"
                    + " (POST /v2/repository/index, gRPC RepositoryIndex) lists the models this server has");
        }
        return served;
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
                        ModelState.State.UNAVAILABLE,
                        ModelRepository.nameProblem(unloaded).orElse("not loaded; load it to serve it"))));
            }
        }
        return byModel.values().stream().flatMap(List::stream).toList();
    }

    /** The most images one request, and one dynamically formed batch, may carry: the same for every model. */
    /** How a model is served where its config.pbtxt, serving.yaml or load request says nothing. */
    public ModelSettings servingDefaults() {
        return config.serving();
    }

    public int maxBatchSize() {
        return config.maxBatchSize();
    }

    /** The CUDA device every model's sessions run on, -1 for the CPU; see {@link SessionFactory#cudaDevice()}. */
    public int cudaDevice() {
        return sessions.cudaDevice();
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
     * {@link #load(String)}, with {@code override} (if present) in place of the model's config.pbtxt and
     * serving.yaml: its settings over the server's defaults, its plan and max_batch_size, and its declared tensors
     * checked against every version served (a version that contradicts them fails to load, with the reason).
     */
    public void load(String model, Optional<TritonModelConfig> override) throws InferenceException {
        requireLoadApi("load");
        reload(model, override);
    }

    /** {@link #load}, also where clients may not load: at start-up and after a poll. */
    private void reload(String model, Optional<TritonModelConfig> override) throws InferenceException {
        requireOpen();
        if (!hasFolder(model)) {
            Optional<String> nameProblem = ModelRepository.nameProblem(model);
            // A client's name is compared with the folders listed, never resolved as a path.
            if (nameProblem.isPresent() && ModelRepository.modelNames(config.repository()).contains(model)) {
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, nameProblem.get());
            }
            throw InferenceException.notFound("the model repository has no model folder '" + model
                    + "'; copy <model>/<version>/ into it, then load it");
        }
        ServedModel served = models.computeIfAbsent(model, ServedModel::new);
        synchronized (served) {
            String fingerprint = ModelRepository.fingerprint(config.repository(), model);
            ServedModel.Versions current = served.versions();
            ModelSettings settings;
            Optional<TritonModelConfig> triton;
            try {
                Path folder = config.repository().resolve(model);
                triton = override.isPresent() ? override : TritonModelConfig.read(folder, config.serving(),
                        config.maxBatchSize(), sessions.cudaDevice());
                settings = override.isPresent() ? override.get().settings()
                        : TritonModelConfig.servingSettings(folder, triton, config.serving());
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
            if (override.isEmpty() && triton.isPresent() && !triton.get().unusedFields().isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "{0}: {1} sets what this server does not apply, ignored: {2}",
                        model, TritonModelConfig.FILE_NAME, String.join(", ", triton.get().unusedFields()));
            }
            List<String> failures = new ArrayList<>();
            ServedModel.Versions next = selectVersions(model, settings, triton, current, failures);
            served.publish(next);
            served.fingerprint(fingerprint);
            if (!failures.isEmpty()) {
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "model " + model + ": "
                        + String.join("; ", failures) + servingNow(next));
            }
            if (next.ready().isEmpty()) {
                throw new InferenceException(InferenceException.Status.FAILED_PRECONDITION, "model " + model
                        + " has no version to serve: " + next.describe());
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
        ServedModel served = model(model);
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
            if (ModelRepository.nameProblem(name).isPresent()) {
                continue; // said once at start-up, and in the index
            }
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

    /** No load, unload or poll from now on (UNAVAILABLE); the models serve on until {@link #close()}. */
    void stop() {
        closed = true;
        poller.shutdownNow();
    }

    /**
     * {@link #stop()}, then closes the sessions of every version and the thread pools; no request may be running
     * any more.
     */
    void close() {
        stop();
        for (ServedModel served : models.values()) {
            synchronized (served) {
                served.versions().ready().values().forEach(ServedVersion::close);
            }
        }
        shutDown(closer);
        shutDown(branchPool);
        LOG.log(System.Logger.Level.INFO, "closed");
    }

    /** {@link #reload} with its failure logged, at start-up and after a poll; false if it failed. */
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
     * With a configuration (config.pbtxt or the load request's), a version that contradicts it fails.
     */
    private ServedModel.Versions selectVersions(String model, ModelSettings settings,
            Optional<TritonModelConfig> triton, ServedModel.Versions current, List<String> failures) {
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
                if (serving != null && serving.settings().equals(settings) && serving.configuration().equals(triton)
                        && serving.model().identity().equals(ModelRepository.identity(folders.get(number)
                                .directory()))) {
                    ready.put(number, serving);
                    states.put(number, new ModelState(model, version, ModelState.State.READY, ""));
                    continue;
                }
                ServableVersion verified = ModelRepository.verify(folders.get(number));
                PlanLoader.LoadedPlan plan = planLoader.load(verified,
                        triton.flatMap(TritonModelConfig::plan).orElse(config.plan()), settings.instances(),
                        triton.map(TritonModelConfig::intraOpThreads).orElse(OptionalInt.empty()));
                LoadedVersion candidate;
                try {
                    candidate = new LoadedVersion(verified, plan, triton, parameterCount(verified));
                    requireConsistent(candidate);
                    warmUp(candidate, config.repository().resolve(model));
                } catch (ModelVersionException e) {
                    plan.instances().forEach(ExecutionPlan::close);
                    throw e;
                }
                loaded.add(candidate);
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

    /**
     * Checks a loaded version against its configuration: declared tensors the graph has (config.pbtxt may narrow a
     * dimension of any size, as Triton allows), and a max_batch_size above 0 only for a graph that batches.
     */
    private static void requireConsistent(LoadedVersion version) throws ModelVersionException {
        if (version.configuration().isEmpty()) {
            return;
        }
        TritonModelConfig triton = version.configuration().get();
        ExecutionPlan plan = version.plan().instances().getFirst();
        List<String> contradictions = new ArrayList<>(triton.contradictions(plan.inputs(), plan.outputs()));
        if (triton.maxBatchSize() > 0 && !version.graphBatches()) {
            contradictions.add("max_batch_size is " + triton.maxBatchSize() + ", but not every input and output"
                    + " of the graph has a first dimension of any size to batch along; give max_batch_size 0");
        }
        if (!contradictions.isEmpty()) {
            throw new ModelVersionException("the configuration contradicts the graph: "
                    + String.join("; ", contradictions));
        }
    }

    /**
     * Runs the configuration's model_warmup samples on every instance of {@code version} ({@link Warmup}), and says
     * so in a line; nothing without samples.
     */
    private void warmUp(LoadedVersion version, Path modelFolder) throws ModelVersionException {
        List<WarmupSample> samples = version.configuration().map(TritonModelConfig::warmups).orElse(List.of());
        if (samples.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        List<ExecutionPlan> instances = version.plan().instances();
        int maxBatchSize = version.maxBatchSize(config.maxBatchSize());
        int batches = Warmup.run(samples, modelFolder, RequestValidator.of(version.model().name(),
                instances.getFirst(), version.configuration(), maxBatchSize), instances, maxBatchSize);
        LOG.log(System.Logger.Level.INFO, "{0}: warmed up, {1} sample(s) on {2} instance(s): {3} batch(es) in {4} ms",
                version.model().id(), samples.size(), instances.size(), batches,
                (System.nanoTime() - start) / 1_000_000);
    }

    /** model.json's count for a version the trainer wrote; for any other graph, the one counted in model.onnx. */
    private static long parameterCount(ServableVersion model) throws ModelVersionException {
        return model instanceof ModelVersion trained ? trained.manifest().parameters()
                : ModelGraph.parameterCount(model);
    }

    /** A version whose sessions are open, not yet serving. */
    private record LoadedVersion(ServableVersion model, PlanLoader.LoadedPlan plan,
            Optional<TritonModelConfig> configuration, long parameters) {

        /** Whether every input and output of the graph has a first dimension of any size, a batch to run along. */
        boolean graphBatches() {
            ExecutionPlan plan = this.plan.instances().getFirst();
            return plan.inputs().stream().allMatch(TensorSpec::batched)
                    && plan.outputs().stream().allMatch(TensorSpec::batched);
        }

        /**
         * The most rows a request or batch may carry: the configuration's max_batch_size where it gives one, else
         * the server's largest batch; 0 for a graph without a batch dimension, and for a configuration of
         * max_batch_size 0 that reshapes a tensor ({@link TritonModelConfig#reshapes}).
         */
        int maxBatchSize(int serverMaxBatchSize) {
            if (!graphBatches()) {
                return 0;
            }
            int configured = configuration.map(TritonModelConfig::maxBatchSize).orElse(0);
            if (configured > 0) {
                return configured;
            }
            return configuration.filter(TritonModelConfig::reshapes).isPresent() ? 0 : serverMaxBatchSize;
        }
    }

    private ServedVersion serve(LoadedVersion loaded, ModelSettings settings) {
        int maxBatchSize = loaded.maxBatchSize(config.maxBatchSize());
        ServedVersion served = new ServedVersion(loaded.model(), loaded.plan(), loaded.parameters(),
                loaded.configuration(), settings, maxBatchSize, config.maxQueued(), registry, closer);
        LOG.log(System.Logger.Level.INFO, readyLine(loaded, settings, maxBatchSize));
        return served;
    }

    /**
     * The line that says a version serves and how: "fashion-deep/1: READY, deep model, plan single 1t, 1 instance(s),
     * batching off, 54106 parameters, inputs input FP32 [-1, 1, 28, 28], outputs logits FP32 [-1, 10]"; for a
     * graph without model.json "ONNX graph" and the parameters counted in it, and "no batch dimension" where it has
     * none (or its max_batch_size 0 reshapes a tensor). The shapes are the graph's.
     */
    private static String readyLine(LoadedVersion loaded, ModelSettings settings, int maxBatchSize) {
        ServableVersion model = loaded.model();
        ExecutionPlan plan = loaded.plan().instances().getFirst();
        ModelSettings.Batching batching = settings.batching();
        String kind = (model instanceof ModelVersion trained ? trained.manifest().shape() + " model" : "ONNX graph")
                + ", " + loaded.parameters() + (loaded.parameters() == 1 ? " parameter" : " parameters");
        return model.id() + ": READY, " + kind + ", plan " + loaded.plan().candidate()
                + describeMeasurements(loaded.plan().measuredMicros())
                + splitFound(loaded.plan()).map(split -> " (" + split + ")").orElse("") + ", " + settings.instances()
                + " instance(s), batching "
                + (maxBatchSize == 0 ? "off (no batch dimension)"
                        : batching.enabled() ? "on (max queue delay " + batching.maxQueueDelayMicros() + " µs"
                        + (batching.preferredBatchSizes().isEmpty() ? ""
                                : ", preferred sizes " + batching.preferredBatchSizes()) + ")" : "off")
                + ", inputs " + describe(plan.inputs()) + ", outputs " + describe(plan.outputs());
    }

    /**
     * What the fork–join search found, where a branch plan serves or was measured; why there is none is logged once
     * when auto looks, and the model's metadata has it.
     */
    private static Optional<String> splitFound(PlanLoader.LoadedPlan plan) {
        boolean branchPlan = Stream.of(BranchesPlan.NAME, BranchesPlan.GROUPED).anyMatch(name ->
                plan.name().equals(name) || plan.measuredMicros().containsKey(name));
        return branchPlan ? plan.split() : Optional.empty();
    }

    private static String describe(List<TensorSpec> tensors) {
        return tensors.stream().map(t -> t.name() + " " + t.datatype() + " " + t.shape())
                .collect(Collectors.joining(", "));
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

    /** Whether {@code model} is a model name and names a folder of the repository (and nothing outside it). */
    private boolean hasFolder(String model) {
        return ModelRepository.nameProblem(model).isEmpty() && Files.isDirectory(config.repository().resolve(model));
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
}
