package io.shallowserve.loadtest.gatling;

import io.gatling.app.Gatling$;
import io.shallowserve.loadtest.driver.LatencyRecorder;
import io.shallowserve.loadtest.driver.LatencySummary;
import io.shallowserve.loadtest.driver.Load;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import scala.Console$;

/**
 * Runs {@link InferenceSimulation} in this JVM and collects what each step measured. The latencies are Gatling's own
 * (each request's response time, which Gatling keeps in whole milliseconds), read in the simulation through a
 * response-time check into the driver's recorders, so that both generators are summarised alike.
 */
public final class GatlingRun {

    /**
     * The recorders of the run in progress, by request name. Static because Gatling instantiates the simulation
     * itself; {@link #run} runs one simulation at a time.
     */
    static final Map<String, LatencyRecorder> RECORDERS = new ConcurrentHashMap<>();

    private GatlingRun() {}

    /**
     * What a run gave.
     *
     * @param exitCode        Gatling's: 0, or 2 when the error-rate assertion failed
     * @param reportDirectory Gatling's own HTML report
     * @param steps           the summary of each step, by request name ({@link HttpLoadPlan#requestName})
     */
    public record Result(int exitCode, Path reportDirectory, Map<String, LatencySummary> steps) {}

    /**
     * Runs the plan; Gatling's results go under {@code resultsDirectory}, its console output to {@code console}
     * (a log file: the caller prints its own progress).
     */
    public static synchronized Result run(HttpLoadPlan plan, Path resultsDirectory, OutputStream console)
            throws IOException {
        RECORDERS.clear();
        plan.toSystemProperties().forEach(System::setProperty);
        Files.createDirectories(resultsDirectory);
        String[] arguments = {
            "--simulation", InferenceSimulation.class.getName(),
            "--results-folder", resultsDirectory.toAbsolutePath().toString(),
            "--launcher", "shallowserve"
        };
        PrintStream originalOut = System.out;
        int exitCode;
        try (PrintStream log = new PrintStream(console, true, StandardCharsets.UTF_8)) {
            // Gatling prints its summary through Scala's Console, which keeps the System.out it first saw.
            System.setOut(log);
            exitCode = Console$.MODULE$.withOut(log, () -> Gatling$.MODULE$.fromArgs(arguments));
        } finally {
            System.setOut(originalOut);
        }
        Map<String, LatencySummary> steps = new LinkedHashMap<>();
        double seconds = plan.step().toNanos() / 1e9;
        for (HttpLoadPlan.Endpoint endpoint : plan.endpoints()) {
            for (Load load : plan.loads()) {
                String name = HttpLoadPlan.requestName(endpoint, load);
                LatencyRecorder recorder = RECORDERS.getOrDefault(name, new LatencyRecorder());
                steps.put(name, recorder.summary(seconds).withResolutionMicros(1000));
            }
        }
        RECORDERS.clear();
        return new Result(exitCode, newestRun(resultsDirectory), steps);
    }

    private static Path newestRun(Path resultsDirectory) throws IOException {
        try (Stream<Path> runs = Files.list(resultsDirectory)) {
            return runs.filter(Files::isDirectory)
                    .max(Comparator.comparing(run -> run.toFile().lastModified()))
                    .orElse(resultsDirectory);
        }
    }
}
