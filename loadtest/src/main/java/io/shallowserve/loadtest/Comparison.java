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
import io.shallowserve.loadtest.report.ComparisonResult;
import io.shallowserve.loadtest.report.Floors;
import io.shallowserve.loadtest.report.Measurement;
import io.shallowserve.loadtest.report.RunInfo;
import io.shallowserve.loadtest.report.ServedModel;
import io.shallowserve.server.repository.ModelRepository;
import io.shallowserve.server.repository.ModelVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole comparison, one phase after another, a progress line per step: the in-process floor of every served
 * model; then one server process per execution plan, all started up front and measured in alternation (each step
 * runs on every served model in turn, so that a slower moment of a shared machine does not fall on one of them
 * only): warm-up, the no-op round trip of each server on both protocols, the driver's gRPC steps, one HTTP step of
 * the driver (one in flight, for the overhead), and Gatling's HTTP steps.
 */
final class Comparison {

    /** Distinct requests the driver cycles through per model. */
    private static final int PREPARED_REQUESTS = 64;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

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
     * @param launcher        starts one server per plan
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
        String loadAverageStart = MachineInfo.loadAverage();
        Map<ServedModel, ModelVersion> versions = servedModels();
        List<ServedModel> served = List.copyOf(versions.keySet());

        say("in-process floor: " + served.stream().map(ServedModel::label).toList() + ", "
                + settings.computeRuns() + " runs each");
        List<Floors.Compute> compute = InProcessFloor.measure(repository, served, List.copyOf(versions.values()),
                images, settings.computeWarmUp(), settings.computeRuns());
        compute.forEach(c -> say("  " + c.served().label() + ": " + brief(c.summary())));

        List<Floors.NoOp> noOps = new ArrayList<>();
        List<Measurement> measurements = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, RunningServer> servers = new LinkedHashMap<>();
        Map<Protocol, Map<String, Target>> targets = new EnumMap<>(Protocol.class);
        String gatlingReport;
        try {
            for (String plan : served.stream().map(ServedModel::plan).distinct().toList()) {
                say("server --plan " + plan + ": starting");
                RunningServer server = launcher.start(plan, 0);
                servers.put(plan, server);
                say("server --plan " + plan + ": ready on " + server.host() + ":" + server.port());
            }
            Map<Protocol, Map<ServedModel, Transport>> inference = new EnumMap<>(Protocol.class);
            for (Protocol protocol : Protocol.values()) {
                Map<String, Target> byPlan = new LinkedHashMap<>();
                targets.put(protocol, byPlan);
                servers.forEach((plan, server) -> byPlan.put(plan,
                        Target.connect(protocol, server.host(), server.port(), CALL_TIMEOUT)));
                inference.put(protocol, inferenceTransports(byPlan, served));
            }
            warmUp(targets, inference);
            for (Protocol protocol : Protocol.values()) {
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
            gatlingReport = gatlingSteps(servers, served, measurements, notes);
        } finally {
            targets.values().forEach(byPlan -> byPlan.values().forEach(Target::close));
            servers.forEach((plan, server) -> {
                server.close();
                say("server --plan " + plan + ": stopped");
            });
        }
        measurements.stream().filter(m -> m.summary().errors() > 0).forEach(m -> notes.add(
                m.served().label() + " " + m.protocol().label() + " " + m.generator() + " " + m.load().label() + ": "
                        + m.summary().errors() + " failed requests " + m.summary().errorKinds()));
        RunInfo run = new RunInfo(date, command, settings.mode(), Runtime.getRuntime().availableProcessors(),
                MachineInfo.cpuModel(), System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.version() + " (" + System.getProperty("java.vendor") + ")", InProcessFloor.runtimeVersion(),
                loadAverageStart, MachineInfo.loadAverage(), settings.step().toMillis() / 1000.0,
                settings.warmUp().toMillis() / 1000.0, images.toString(), elapsedSeconds(), notes);
        return new ComparisonResult(run, served, compute, noOps, measurements, List.of(gatlingReport));
    }

    /**
     * The newest version of every model in the repository, under every plan that differs for it: "single" for all,
     * "branches" for shallow models only. Deep models first, so that the baseline leads every table.
     */
    private Map<ServedModel, ModelVersion> servedModels() throws Exception {
        Map<String, ModelRepository.VersionFolder> newest = new LinkedHashMap<>();
        ModelRepository.versionFolders(repository).forEach(folder -> newest.put(folder.name(), folder));
        List<ModelVersion> versions = new ArrayList<>();
        for (ModelRepository.VersionFolder folder : newest.values()) {
            versions.add(ModelRepository.verify(folder));
        }
        versions.sort(Comparator.comparing((ModelVersion v) -> v.manifest().shallow()).thenComparing(ModelVersion::name));
        Map<ServedModel, ModelVersion> served = new LinkedHashMap<>();
        for (String plan : settings.plans()) {
            for (ModelVersion version : versions) {
                if (plan.equals("single") || version.manifest().shallow()) {
                    served.put(new ServedModel(version.name(), version.manifest().shape(), plan), version);
                }
            }
        }
        if (served.isEmpty()) {
            throw new IllegalStateException("no model to measure in " + repository + " under plans "
                    + settings.plans());
        }
        return served;
    }

    /** An inference transport per served model, requests prepared from the images as the model's metadata asks. */
    private Map<ServedModel, Transport> inferenceTransports(Map<String, Target> targets, List<ServedModel> served)
            throws IOException {
        Map<ServedModel, Transport> transports = new LinkedHashMap<>();
        for (ServedModel model : served) {
            Target target = targets.get(model.plan());
            ModelInput input = target.input(model.model(), "");
            List<Tensor> tensors = ImageSet.read(images, PREPARED_REQUESTS, input).batches(input, 1, PREPARED_REQUESTS);
            transports.put(model, target.infer(model.model(), "", tensors));
        }
        return transports;
    }

    /**
     * Unrecorded load on everything that will be measured (2 in flight): the servers' and this JVM's code is
     * compiled before the first recorded step.
     */
    private void warmUp(Map<Protocol, Map<String, Target>> targets,
            Map<Protocol, Map<ServedModel, Transport>> inference) {
        List<Transport> all = new ArrayList<>();
        targets.values().forEach(byPlan -> byPlan.values().forEach(target -> all.add(target.noOp())));
        inference.values().forEach(byModel -> all.addAll(byModel.values()));
        say("  warm-up: every model and the no-op over both protocols, "
                + settings.warmUp().multipliedBy(all.size()).toSeconds() + " s");
        all.forEach(transport -> runner.run(transport, new Load.Closed(2), settings.warmUp()));
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
     * Gatling's steps on every served model, added to {@code measurements} (and a failed assertion to
     * {@code notes}); returns where Gatling's own report is, relative to the report folder.
     */
    private String gatlingSteps(Map<String, RunningServer> servers, List<ServedModel> served,
            List<Measurement> measurements, List<String> notes) throws IOException {
        Map<HttpLoadPlan.Endpoint, ServedModel> endpoints = new LinkedHashMap<>();
        for (ServedModel model : served) {
            RunningServer server = servers.get(model.plan());
            endpoints.put(new HttpLoadPlan.Endpoint(model.label(), "http://" + server.host() + ":" + server.port(),
                    model.model()), model);
        }
        HttpLoadPlan plan = new HttpLoadPlan(List.copyOf(endpoints.keySet()), settings.gatlingLoads(),
                settings.step(), settings.warmUp(), images);
        Path results = reportDirectory.resolve("gatling");
        deleteRecursively(results);
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

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private void say(String line) {
        progress.printf(Locale.ROOT, "[%4.0fs] %s%n", elapsedSeconds(), line);
        progress.flush();
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** "p50 0.812 ms, p99 3.104 ms, 2400/s, 0 errors". */
    private static String brief(LatencySummary s) {
        return String.format(Locale.ROOT, "p50 %.3f ms, p99 %.3f ms, %.0f/s, %d errors", s.p50Micros() / 1000,
                s.p99Micros() / 1000, s.throughput(), s.errors());
    }
}
