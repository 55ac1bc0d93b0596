package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.Clock;
import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import io.shallowserve.loadtest.driver.LoadRunner;
import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.driver.Target;
import io.shallowserve.loadtest.driver.Transport;
import io.shallowserve.loadtest.gatling.GatlingRun;
import io.shallowserve.loadtest.gatling.HttpLoadPlan;
import io.shallowserve.loadtest.gatling.InferenceSimulation;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.loadtest.report.BatchingComparison;
import io.shallowserve.loadtest.report.BatchingStep;
import io.shallowserve.loadtest.report.ComparisonResult;
import io.shallowserve.loadtest.report.Floors;
import io.shallowserve.loadtest.report.Measurement;
import io.shallowserve.loadtest.report.RoundStep;
import io.shallowserve.loadtest.report.RunInfo;
import io.shallowserve.loadtest.report.ServedModel;
import io.shallowserve.runtime.exec.Machine;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelRepository;
import io.shallowserve.runtime.repository.ModelVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The whole comparison, one phase after another, a progress line per step: the in-process floor of every served
 * model; the rounds, deep against shallow under every plan (one server process that serves a copy of each model per
 * plan, batching off; gRPC, one request in flight, each batch size), every served model once per round, in turn;
 * then, on a server per plan of the load steps: the batching comparison (a second server per plan with batching
 * on, up for it alone: one in flight and the capacity search, batching off and on), the no-op round trip of each
 * server on both protocols, the driver's gRPC steps, one HTTP step of the driver in JSON and one in binary tensor
 * data (one in flight, for the overhead), and Gatling's HTTP steps. Each step runs on every served model in turn, so
 * that a slower moment of a shared machine does not fall on one of them only.
 */
final class Comparison {

    /** Distinct requests the driver cycles through per model. */
    private static final int PREPARED_REQUESTS = 64;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /** The plan under which a server serves a deep model at the intra-op thread count it measured best. */
    private static final String AUTO = PlanChoice.AUTO.name().toLowerCase(Locale.ROOT);
    private static final String WIDE = PlanChoice.WIDE.name().toLowerCase(Locale.ROOT);
    /** The rounds' model repository, under the report folder. */
    private static final String ROUNDS_REPOSITORY = "rounds-models";

    private final ComparisonSettings settings;
    private final Path repository;
    private final Path images;
    private final Path reportDirectory;
    private final RunningServer.Launcher launcher;
    private final PrintStream progress;
    private final String command;
    private final LoadRunner runner = new LoadRunner(Clock.SYSTEM, 1024, CALL_TIMEOUT.plusSeconds(5));
    private long startNanos;

    /**
     * @param repository      the model repository the servers serve (its newest version of every model is measured)
     * @param images          the IDX or image file the requests are made of
     * @param reportDirectory where Gatling's results and the servers' logs go
     * @param launcher        starts one server per plan and batching
     * @param progress        where the progress lines go
     * @param command         the command line, for the report
     */
    Comparison(ComparisonSettings settings, Path repository, Path images, Path reportDirectory,
            RunningServer.Launcher launcher, PrintStream progress, String command) {
        this.settings = settings;
        this.repository = repository;
        this.images = images;
        this.reportDirectory = reportDirectory;
        this.launcher = launcher;
        this.progress = progress;
        this.command = command;
    }

    ComparisonResult run() throws Exception {
        startNanos = System.nanoTime();
        String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        double loadAverageStart = Machine.loadAverage();
        Map<ServedModel, ModelVersion> roundModels = servedModels(settings.roundPlans());
        Map<ServedModel, ModelVersion> loadModels = servedModels(settings.plans());
        Map<ServedModel, ModelVersion> versions = new LinkedHashMap<>(roundModels);
        versions.putAll(loadModels);
        List<ServedModel> served = List.copyOf(loadModels.keySet());

        say("in-process floor: " + versions.keySet().stream().map(ServedModel::label).toList() + ", "
                + settings.computeRuns() + " runs each");
        List<Floors.Compute> compute = InProcessFloor.measure(List.copyOf(versions.keySet()),
                List.copyOf(versions.values()), images, settings.computeWarmUp(), settings.computeRuns());
        compute.forEach(c -> say("  " + c.served().label() + ": " + brief(c.summary())));

        List<RoundStep> rounds;
        List<Floors.NoOp> noOps = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        List<BatchingStep> batchingSteps;
        List<String> notes = new ArrayList<>();
        // By plan: the servers with batching off, which every step but the batching comparison measures, and those
        // with batching on, up for the batching comparison only.
        Map<String, RunningServer> servers = new LinkedHashMap<>();
        Map<String, RunningServer> batchingServers = new LinkedHashMap<>();
        List<Target> connected = new ArrayList<>();
        String gatlingReport;
        try (HttpClient statistics = HttpClient.newHttpClient()) {
            List<String> plans = settings.plans();
            rounds = rounds(roundModels);
            startServers(plans, Batching.OFF, servers);
            startServers(plans, settings.batching(), batchingServers);
            Map<Protocol, Map<String, Target>> targets = new EnumMap<>(Protocol.class);
            Map<Protocol, Map<ServedModel, Transport>> inference = new EnumMap<>(Protocol.class);
            Map<Protocol, Map<ServedModel, Transport>> batchingInference = new EnumMap<>(Protocol.class);
            for (Protocol protocol : Protocol.frontEnds()) {
                targets.put(protocol, connect(protocol, servers, connected));
                inference.put(protocol, inferenceTransports(targets.get(protocol), served));
                batchingInference.put(protocol, inferenceTransports(connect(protocol, batchingServers, connected),
                        served));
            }
            warmUp("every server, its models and the no-op over both protocols",
                    warmUpTransports(connected, List.of(inference, batchingInference)));
            // First, while the servers with batching off and on have run the same load (the warm-up): a server
            // that has run more is further along in compiling its code.
            batchingSteps = batchingComparison(served, inference.get(Protocol.GRPC),
                    batchingInference.get(Protocol.GRPC), servers, batchingServers, statistics);
            stopServers(batchingServers, settings.batching());
            for (Protocol protocol : Protocol.frontEnds()) {
                for (Map.Entry<String, Target> target : targets.get(protocol).entrySet()) {
                    LatencySummary summary = runner.run(target.getValue().noOp(), new Load.Closed(1),
                            settings.step());
                    noOps.add(new Floors.NoOp(target.getKey(), protocol, summary));
                    say("  server --plan " + target.getKey() + "  " + protocol.label() + "  no-op "
                            + protocol.noOp() + ": " + brief(summary));
                }
            }
            measurements.addAll(driverSteps(Protocol.GRPC, settings.driverLoads(), inference));
            measurements.addAll(driverSteps(Protocol.HTTP, List.of(new Load.Closed(1)), inference));
            // Binary HTTP is warmed up only now, on the servers with batching off that it runs on: earlier, those
            // servers would have run more than the ones with batching on before the batching comparison.
            inference.put(Protocol.HTTP_BINARY, inferenceTransports(connect(Protocol.HTTP_BINARY, servers, connected),
                    served));
            warmUp("the models over HTTP with binary tensor data",
                    List.copyOf(inference.get(Protocol.HTTP_BINARY).values()));
            measurements.addAll(driverSteps(Protocol.HTTP_BINARY, List.of(new Load.Closed(1)), inference));
            gatlingReport = gatlingSteps(servers, served, measurements, notes);
        } finally {
            connected.forEach(Target::close);
            stopServers(servers, Batching.OFF);
            stopServers(batchingServers, settings.batching());
        }
        rounds.stream().filter(r -> r.summary().errors() > 0).forEach(r -> notes.add(
                r.served().label() + " gRPC driver, round " + r.round() + ", batch " + r.batch() + ": "
                        + r.summary().errors() + " failed requests " + r.summary().errorKinds()));
        measurements.stream().filter(m -> m.summary().errors() > 0).forEach(m -> notes.add(
                m.served().label() + " " + m.protocol().label() + " " + m.generator() + " " + m.load().label() + ": "
                        + m.summary().errors() + " failed requests " + m.summary().errorKinds()));
        batchingSteps.stream().filter(b -> b.summary().errors() > 0).forEach(b -> notes.add(
                b.served().label() + " gRPC driver, batching " + b.batching().label() + ", " + b.load().label() + ": "
                        + b.summary().errors() + " failed requests " + b.summary().errorKinds()));
        RunInfo run = new RunInfo(date, command, settings.mode(), Machine.current(), loadAverageStart,
                Machine.loadAverage(), settings.step().toMillis() / 1000.0,
                settings.warmUp().toMillis() / 1000.0, images.toString(), elapsedSeconds(), notes);
        BatchingComparison batching = new BatchingComparison(settings.batching(), settings.p99TargetMicros(),
                settings.batchingStep().toMillis() / 1000.0, batchingSteps);
        return new ComparisonResult(run, served, rounds, compute, noOps, measurements, batching,
                List.of(gatlingReport));
    }

    /**
     * The rounds over gRPC, on one server that serves every model under every plan of the rounds: a copy of each
     * model's graph per plan in a repository of its own ({@link #roundsRepository}). One server process rather than
     * one per plan: with five started at once, their JIT compilers shared the cores, and after two passes of warm-up
     * the first rounds still ran at twice the latency of the last. A warm-up of every served model at every batch
     * size, a round that settles and is not recorded, then {@link ComparisonSettings#rounds()} rounds.
     */
    private List<RoundStep> rounds(Map<ServedModel, ModelVersion> served) throws Exception {
        Map<ServedModel, String> names = roundsRepository(reportDirectory.resolve(ROUNDS_REPOSITORY), served);
        say("rounds: one server for " + names.size() + " models, each a copy of its graph under its plan: "
                + names.values());
        List<Target> connected = new ArrayList<>();
        try (RunningServer server = launcher.start(reportDirectory.resolve(ROUNDS_REPOSITORY),
                settings.plans().getFirst(), Batching.OFF, 0, 0)) {
            Target target = Target.connect(Protocol.GRPC, server.host(), server.grpcPort(), CALL_TIMEOUT);
            connected.add(target);
            Map<Integer, Map<ServedModel, Transport>> byBatch = new LinkedHashMap<>();
            for (int batch : settings.roundBatches()) {
                Map<ServedModel, Transport> transports = new LinkedHashMap<>();
                for (Map.Entry<ServedModel, String> model : names.entrySet()) {
                    transports.put(model.getKey(), inferenceTransport(target, model.getValue(), batch));
                }
                byBatch.put(batch, transports);
            }
            List<Transport> transports = byBatch.values().stream()
                    .flatMap(byModel -> byModel.values().stream()).toList();
            warmUp("the rounds' models over gRPC, batch " + settings.roundBatches(), transports);
            say("  rounds: " + settings.rounds() + " x " + names.size() + " served models x "
                    + settings.roundBatches().size() + " batch sizes, one in flight, "
                    + settings.roundStep().toMillis() / 1000.0 + " s each");
            // One round more than recorded, the first: after the warm-up's bursts at two in flight, the first steps
            // at one in flight still ran at up to twice the latency of later rounds (the JIT compiling the new path),
            // and they would fall on whichever models the first round's order put first.
            runRound(byBatch, 0, "settling, not counted");
            List<RoundStep> steps = new ArrayList<>();
            for (int round = 1; round <= settings.rounds(); round++) {
                steps.addAll(runRound(byBatch, round, round + "/" + settings.rounds()));
            }
            return steps;
        } finally {
            connected.forEach(Target::close);
            say("rounds: server stopped");
        }
    }

    /**
     * Every served model one step at every batch size, one request in flight, in the order turned by {@code round}
     * so that no model always follows the same other.
     */
    private List<RoundStep> runRound(Map<Integer, Map<ServedModel, Transport>> byBatch, int round, String label) {
        List<RoundStep> steps = new ArrayList<>();
        for (Map.Entry<Integer, Map<ServedModel, Transport>> batch : byBatch.entrySet()) {
            List<ServedModel> order = new ArrayList<>(batch.getValue().keySet());
            Collections.rotate(order, -round);
            StringBuilder line = new StringBuilder();
            for (ServedModel model : order) {
                LatencySummary summary = runner.run(batch.getValue().get(model), new Load.Closed(1),
                        settings.roundStep());
                steps.add(new RoundStep(model, batch.getKey(), round, summary));
                line.append(String.format(Locale.ROOT, "; %s %.3f", model.label(), summary.p50Micros() / 1000));
            }
            say("  round " + label + ", batch " + batch.getKey() + ", p50 ms" + line.substring(1));
        }
        return steps;
    }

    /**
     * Writes {@code folder} anew: per served model a model named "MODEL-PLAN" of one version, a copy of the model's
     * model.onnx (served as any ONNX graph: the trainer's graphs carry their normalisation, so requests are the
     * same), and a config.pbtxt that sets its plan. Returns the names by served model.
     */
    private static Map<ServedModel, String> roundsRepository(Path folder, Map<ServedModel, ModelVersion> served)
            throws IOException {
        ModelRepository.delete(folder);
        Map<ServedModel, String> names = new LinkedHashMap<>();
        for (Map.Entry<ServedModel, ModelVersion> model : served.entrySet()) {
            String name = model.getKey().model() + "-" + model.getKey().plan();
            Path version = Files.createDirectories(folder.resolve(name).resolve("1"));
            Files.copy(model.getValue().file(ModelManifest.MODEL_FILE), version.resolve(ModelManifest.MODEL_FILE));
            // The server's per-model plan parameter (docs/model-repository.md, config.pbtxt).
            Files.writeString(folder.resolve(name).resolve("config.pbtxt"), "name: \"" + name + "\"\n"
                    + "parameters { key: \"" + PlanChoice.CONFIG_PARAMETER + "\" value: { string_value: \""
                    + model.getKey().plan() + "\" } }\n");
            names.put(model.getKey(), name);
        }
        return names;
    }

    /** Starts a server per plan with {@code batching}, one after the other, into {@code started}. */
    private void startServers(List<String> plans, Batching batching, Map<String, RunningServer> started)
            throws Exception {
        for (String plan : plans) {
            String name = serverName(plan, batching);
            say(name + ": starting");
            RunningServer server = launcher.start(repository, plan, batching, 0, 0);
            started.put(plan, server);
            say(name + ": ready, HTTP on " + server.address(Protocol.HTTP) + ", gRPC on "
                    + server.address(Protocol.GRPC));
        }
    }

    /** Stops every server of {@code servers} and forgets it. */
    private void stopServers(Map<String, RunningServer> servers, Batching batching) {
        List.copyOf(servers.keySet()).forEach(plan -> stopServer(servers, plan, batching));
    }

    private void stopServer(Map<String, RunningServer> servers, String plan, Batching batching) {
        servers.remove(plan).close();
        say(serverName(plan, batching) + ": stopped");
    }

    /** "server --plan single", "server --plan single, batching on, 500 µs". */
    private static String serverName(String plan, Batching batching) {
        return "server --plan " + plan + (batching.enabled() ? ", batching " + batching.label() : "");
    }

    /** A target per plan on {@code servers} over {@code protocol}, each also added to {@code connected}. */
    private static Map<String, Target> connect(Protocol protocol, Map<String, RunningServer> servers,
            List<Target> connected) {
        Map<String, Target> byPlan = new LinkedHashMap<>();
        servers.forEach((plan, server) -> {
            Target target = Target.connect(protocol, server.host(), server.port(protocol), CALL_TIMEOUT);
            connected.add(target);
            byPlan.put(plan, target);
        });
        return byPlan;
    }

    /**
     * The newest version of every model in the repository, under every plan of {@code plans} that differs for it
     * ({@link #servesUnder}): deep models under the first of the load steps' plans (the baseline) and under auto (at
     * the thread count auto measures best). Models without branches first, so that the baseline leads every table.
     */
    private Map<ServedModel, ModelVersion> servedModels(List<String> plans) throws Exception {
        Map<String, ModelRepository.VersionFolder> newest = new LinkedHashMap<>();
        ModelRepository.versionFolders(repository).forEach(folder -> newest.put(folder.name(), folder));
        List<ModelVersion> versions = new ArrayList<>();
        for (ModelRepository.VersionFolder folder : newest.values()) {
            versions.add(ModelRepository.verifyTrained(folder));
        }
        versions.sort(Comparator.comparing(ModelVersion::name));
        Map<ServedModel, ModelVersion> served = new LinkedHashMap<>();
        for (boolean branched : List.of(false, true)) {
            for (String plan : plans) {
                for (ModelVersion version : versions) {
                    if (version.manifest().hasBranches() == branched
                            && servesUnder(version.manifest(), plan, settings.plans().getFirst())) {
                        served.put(new ServedModel(version.name(), version.manifest().shape(), plan), version);
                    }
                }
            }
        }
        if (served.isEmpty()) {
            throw new IllegalStateException("no model to measure in " + repository + " under plans "
                    + plans);
        }
        return served;
    }

    /**
     * Whether the comparison serves a model under {@code plan}: a shallow model under every plan; a parnet model,
     * whose streams are branches too, under every plan but wide (its streams are chains with nothing to fuse: wide
     * would serve single again); any other (deep, tat) under the load steps' baseline plan and auto.
     */
    static boolean servesUnder(ModelManifest manifest, String plan, String baselinePlan) {
        if (manifest.shallow()) {
            return true;
        }
        if (manifest.hasBranches()) {
            return !plan.equals(WIDE);
        }
        return plan.equals(baselinePlan) || plan.equals(AUTO);
    }

    /** An inference transport per served model, requests of one image prepared as the model's metadata asks. */
    private Map<ServedModel, Transport> inferenceTransports(Map<String, Target> targets, List<ServedModel> served)
            throws IOException {
        Map<ServedModel, Transport> transports = new LinkedHashMap<>();
        for (ServedModel model : served) {
            transports.put(model, inferenceTransport(targets.get(model.plan()), model.model(), 1));
        }
        return transports;
    }

    /** Requests of {@code batch} images to {@code model} on {@code target}, prepared as its metadata asks. */
    private Transport inferenceTransport(Target target, String model, int batch) throws IOException {
        ModelInput input = target.input(model, "");
        List<Tensor> tensors = ImageSet.read(images, PREPARED_REQUESTS, input).batches(input, batch, PREPARED_REQUESTS);
        return target.infer(model, "", tensors);
    }

    /** The no-op of every target and every inference transport. */
    private static List<Transport> warmUpTransports(List<Target> targets,
            List<Map<Protocol, Map<ServedModel, Transport>>> inference) {
        List<Transport> all = new ArrayList<>();
        targets.forEach(target -> all.add(target.noOp()));
        inference.forEach(byProtocol -> byProtocol.values().forEach(byModel -> all.addAll(byModel.values())));
        return all;
    }

    /**
     * Unrecorded load (2 in flight) on each of {@code transports} in turn: the servers' and this JVM's code is
     * compiled before the first recorded step.
     */
    private void warmUp(String what, List<Transport> transports) {
        say("  warm-up: " + what + ", " + settings.warmUp().multipliedBy(transports.size()).toSeconds() + " s");
        transports.forEach(transport -> runner.run(transport, new Load.Closed(2), settings.warmUp()));
    }

    /** The driver's steps over one protocol: each load on every served model in turn. */
    private List<Measurement> driverSteps(Protocol protocol, List<Load> loads,
            Map<Protocol, Map<ServedModel, Transport>> inference) {
        List<Measurement> steps = new ArrayList<>();
        for (Load load : loads) {
            for (Map.Entry<ServedModel, Transport> model : inference.get(protocol).entrySet()) {
                LatencySummary summary = runner.run(model.getValue(), load, settings.step());
                steps.add(new Measurement(model.getKey(), protocol, Measurement.DRIVER, load, summary));
                say("  " + model.getKey().label() + "  " + protocol.label() + "  driver " + load.label() + ": "
                        + brief(summary));
            }
        }
        return steps;
    }

    /**
     * The batching comparison on every served model, batching off then on, in turn: one request in flight, the
     * closed loop at the comparison's most requests in flight, then the capacity search over the open loop.
     */
    private List<BatchingStep> batchingComparison(List<ServedModel> served, Map<ServedModel, Transport> unbatched,
            Map<ServedModel, Transport> batched, Map<String, RunningServer> servers,
            Map<String, RunningServer> batchingServers, HttpClient statistics) {
        List<BatchingSteps.ModelOnServer> models = new ArrayList<>();
        for (ServedModel model : served) {
            RunningServer off = servers.get(model.plan());
            RunningServer on = batchingServers.get(model.plan());
            models.add(new BatchingSteps.ModelOnServer(model, Batching.OFF, unbatched.get(model),
                    () -> InferenceCounts.fetch(statistics, off.host(), off.httpPort(), model.model())));
            models.add(new BatchingSteps.ModelOnServer(model, settings.batching(), batched.get(model),
                    () -> InferenceCounts.fetch(statistics, on.host(), on.httpPort(), model.model())));
        }
        BatchingSteps steps = new BatchingSteps(runner, settings.batchingStep(), this::say);
        say("  batching off vs " + settings.batching().label() + ": one request in flight, "
                + settings.batchingStep().toMillis() / 1000.0 + " s each");
        List<BatchingStep> results = new ArrayList<>(steps.closed(models, 1));
        int saturated = settings.concurrencies().stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (saturated > 1) {
            say("  batching off vs " + settings.batching().label() + ": " + saturated + " requests in flight, "
                    + settings.batchingStep().toMillis() / 1000.0 + " s each");
            results.addAll(steps.closed(models, saturated));
        }
        CapacitySearch.Plan plan = settings.capacitySearch();
        say(String.format(Locale.ROOT, "  capacity search, p99 <= %s ms: from %.0f/s, x%s a step (%.0f/s to %.0f/s),"
                + " then %d bisections; at most %d steps of %.1f s per model, plan and batching",
                settings.p99TargetMicros() / 1000, plan.startRate(), plan.growth(), plan.minRate(), plan.maxRate(),
                plan.bisections(), plan.maxSteps(), settings.batchingStep().toMillis() / 1000.0));
        results.addAll(steps.capacity(models, plan, settings.p99TargetMicros()));
        return results;
    }

    /**
     * Gatling's steps on every served model, added to {@code measurements} (and a failed assertion to
     * {@code notes}); returns where Gatling's own report is, relative to the report folder.
     */
    private String gatlingSteps(Map<String, RunningServer> servers, List<ServedModel> served,
            List<Measurement> measurements, List<String> notes) throws IOException {
        Map<HttpLoadPlan.Endpoint, ServedModel> endpoints = new LinkedHashMap<>();
        for (ServedModel model : served) {
            RunningServer server = servers.get(model.plan());
            endpoints.put(new HttpLoadPlan.Endpoint(model.label(), "http://" + server.address(Protocol.HTTP),
                    model.model()), model);
        }
        HttpLoadPlan plan = new HttpLoadPlan(List.copyOf(endpoints.keySet()), settings.gatlingLoads(),
                settings.step(), settings.warmUp(), images);
        Path results = reportDirectory.resolve("gatling");
        ModelRepository.delete(results);
        Files.createDirectories(results);
        say("  Gatling HTTP: " + endpoints.size() + " models x " + plan.loads().size() + " steps, about "
                + plan.plannedDuration().toSeconds() + " s of load; its output in " + results.resolve("gatling.log"));
        GatlingRun.Result result;
        try (OutputStream log = Files.newOutputStream(results.resolve("gatling.log"))) {
            result = GatlingRun.run(plan, results, log);
        }
        for (Load load : plan.loads()) {
            for (Map.Entry<HttpLoadPlan.Endpoint, ServedModel> endpoint : endpoints.entrySet()) {
                LatencySummary summary = result.steps().get(HttpLoadPlan.requestName(endpoint.getKey(), load));
                measurements.add(new Measurement(endpoint.getValue(), Protocol.HTTP, Measurement.GATLING, load,
                        summary));
                say("  " + endpoint.getKey().name() + "  HTTP  Gatling " + load.label() + ": " + brief(summary));
            }
        }
        if (result.exitCode() != 0) {
            notes.add("Gatling ended with exit code " + result.exitCode() + (result.exitCode() == 2
                    ? ": the error rate was above " + InferenceSimulation.MAX_ERROR_PERCENT + "%" : ""));
        }
        return reportDirectory.toAbsolutePath().relativize(result.reportDirectory().toAbsolutePath())
                + "/index.html";
    }

    private void say(String line) {
        progress.printf(Locale.ROOT, "[%4.0fs] %s%n", elapsedSeconds(), line);
        progress.flush();
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** "p50 0.812 ms, p99 3.104 ms, 2400/s, 0 errors". */
    static String brief(LatencySummary s) {
        return String.format(Locale.ROOT, "p50 %.3f ms, p99 %.3f ms, %.0f/s, %d errors", s.p50Micros() / 1000,
                s.p99Micros() / 1000, s.throughput(), s.errors());
    }
}
