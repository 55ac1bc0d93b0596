package io.shallowserve.loadtest.driver;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code loadtest drive}: one model (or the no-op) on any Open Inference Protocol server, at one or more rates (open
 * loop) or concurrencies (closed loop), one step after another; prints a line per step and can write JSON.
 */
@Command(
        name = "drive",
        mixinStandardHelpOptions = true,
        description = {
            "Load driver for any Open Inference Protocol (KServe v2 / Triton) server, like Triton's perf_analyzer.",
            "Open loop (--rate): requests leave on a fixed schedule and latency counts from the scheduled time, so a"
                    + " stalled server cannot hide its stall (no coordinated omission).",
            "Closed loop (--concurrency): that many requests in flight, each sent when the previous one is answered.",
            "Exit status 0, or 3 when any request failed."
        })
public final class DriveCommand implements Callable<Integer> {

    /** Distinct requests prepared per run; the run cycles through them. */
    private static final int PREPARED_REQUESTS = 64;

    @Spec
    private CommandSpec spec;

    @Option(names = {"-u", "--url"},
            description = "server host:port (default 127.0.0.1:8001 for grpc and grpc-stream, 127.0.0.1:8000 for http"
                    + " and http-binary: Triton's ports, and shallowserve's)")
    private String url;

    @Option(names = {"-i", "--protocol"}, defaultValue = "grpc",
            description = "grpc (a ModelInfer call per request), grpc-stream (ModelStreamInfer: a stream per"
                    + " concurrent caller, as perf_analyzer --streaming), http (tensors in JSON) or http-binary"
                    + " (Triton's binary tensor data: the input's bytes after a JSON header, the outputs asked back as"
                    + " bytes, as tritonclient.http and perf_analyzer send by default) (default ${DEFAULT-VALUE})")
    private Protocol protocol;

    @Option(names = {"-m", "--model"}, description = "model name (required unless --no-op)")
    private String model;

    @Option(names = "--model-version", defaultValue = "", description = "model version (default: the server's choice)")
    private String modelVersion;

    @Option(names = "--rate", split = ",", paramLabel = "PER_SECOND",
            description = "open loop at these request rates, e.g. 100,200,400")
    private List<Double> rates = new ArrayList<>();

    @Option(names = "--concurrency", split = ",", paramLabel = "N",
            description = "closed loop with these requests in flight, e.g. 1,2,4,8,16,32 (default 1 if no --rate)")
    private List<Integer> concurrencies = new ArrayList<>();

    @Option(names = {"-d", "--duration"}, defaultValue = "10", description = "seconds per step (default ${DEFAULT-VALUE})")
    private double seconds;

    @Option(names = "--warmup", defaultValue = "2",
            description = "seconds of unrecorded load (closed loop, 2 in flight) before the first step"
                    + " (default ${DEFAULT-VALUE})")
    private double warmupSeconds;

    @Option(names = {"-b", "--batch"}, defaultValue = "1", description = "images per request (default ${DEFAULT-VALUE})")
    private int batch;

    @Option(names = "--images",
            description = "IDX image file (.gz or not) or an image file (PNG, JPEG, ...); default: the Fashion-MNIST"
                    + " test images ($SHALLOWSERVE_DATA or /usr/share/datasets/fashion-mnist)")
    private Path images;

    @Option(names = "--no-op", description = "send the protocol's no-op (ServerLive, GET /v2/health/live) instead")
    private boolean noOp;

    @Option(names = "--timeout", defaultValue = "10",
            description = "seconds each request may take; a grpc-stream request has no deadline of its own, the run"
                    + " waits for it this long plus 5 s after its step (default ${DEFAULT-VALUE})")
    private double timeoutSeconds;

    @Option(names = "--max-in-flight", defaultValue = "1024",
            description = "most open-loop requests outstanding; the schedule waits beyond (default ${DEFAULT-VALUE})")
    private int maxInFlight;

    @Option(names = "--json", description = "also write the results to this JSON file")
    private Path json;

    /** One step's result, as printed and written. */
    public record Step(String load, LatencySummary summary) {}

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!noOp && model == null) {
            throw new IllegalArgumentException("--model is required (or --no-op)");
        }
        List<Load> loads = new ArrayList<>();
        rates.forEach(rate -> loads.add(new Load.Open(rate)));
        concurrencies.forEach(concurrency -> loads.add(new Load.Closed(concurrency)));
        if (loads.isEmpty()) {
            loads.add(new Load.Closed(1));
        }
        String address = url != null ? url : "127.0.0.1:" + protocol.defaultPort();
        int colon = address.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--url must be host:port, got " + address);
        }
        String host = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        Duration timeout = Duration.ofMillis(Math.round(timeoutSeconds * 1000));
        LoadRunner runner = new LoadRunner(Clock.SYSTEM, maxInFlight, timeout.plusSeconds(5));
        List<Step> steps = new ArrayList<>();
        try (Target target = Target.connect(protocol, host, port, timeout)) {
            Transport transport;
            String what;
            if (noOp) {
                transport = target.noOp();
                what = protocol.noOp();
            } else {
                ModelInput input = target.input(model, modelVersion);
                Path source = images == null ? ImageSet.defaultTestImages() : images;
                List<Tensor> tensors = ImageSet.read(source, PREPARED_REQUESTS * batch, input)
                        .batches(input, batch, PREPARED_REQUESTS);
                transport = target.infer(model, modelVersion, tensors);
                what = model + " (input " + input.name() + " " + input.shape() + ", batch " + batch + ", images from "
                        + source + ")";
            }
            out.printf(Locale.ROOT, "%s %s on %s, %.0f s per step%n", protocol.label(), what, address, seconds);
            if (warmupSeconds > 0) {
                runner.run(transport, new Load.Closed(2), seconds(warmupSeconds));
            }
            out.println(StepTable.HEADER);
            for (Load load : loads) {
                LatencySummary summary = runner.run(transport, load, seconds(seconds));
                steps.add(new Step(load.label(), summary));
                out.println(StepTable.row(load.label(), summary));
                out.flush();
            }
        }
        if (json != null) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("url", address);
            document.put("protocol", protocol.label());
            document.put("model", noOp ? null : model);
            document.put("request", noOp ? protocol.noOp() : "infer, batch " + batch);
            document.put("secondsPerStep", seconds);
            document.put("steps", steps);
            Files.writeString(json, jsonWriter().toJson(document));
            out.println("wrote " + json);
        }
        long errors = steps.stream().mapToLong(step -> step.summary().errors()).sum();
        return errors == 0 ? 0 : 3;
    }

    /** JSON for results: readable, and NaN (no successful request) written as such. */
    public static Gson jsonWriter() {
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    }

    private static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
