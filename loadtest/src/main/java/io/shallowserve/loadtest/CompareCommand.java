package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.input.ImageSet;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.loadtest.report.ComparisonResult;
import io.shallowserve.loadtest.report.ReportWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadtest compare}: the latency comparison of every model and plan over both protocols, against the real
 * server started once per plan; writes the report and prints its tables.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = {
            "Starts the server (server/target/shallowserve-server.jar) on free loopback ports; measures the"
                    + " in-process floor, then deep against shallow under every plan in rounds on one server (gRPC,"
                    + " one request in flight, batch 1 and 8: the headline ratio with its spread), then, on a server"
                    + " per plan, for single"
                    + " and wide (--quick) or every plan: the no-op round trip, every model under open and closed load"
                    + " over gRPC (the driver) and HTTP (Gatling), and on a second server per plan with dynamic"
                    + " batching on, batching off and on at one request in flight and the capacity at a p99 target;"
                    + " writes report.md, report.html and results.json. About 10 minutes on 2 cores; --quick: about"
                    + " 3.5."
        })
public final class CompareCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--quick", description = "fewer, shorter steps: about 3.5 minutes")
    private boolean quick;

    // 500 µs: a tenth of the default p99 target, so a request that waits the whole window keeps most of its budget.
    // Near this machine's capacity (a few thousand requests per second: one every 0.2 to 0.5 ms) a window that long
    // gathers a few requests per batch; at low load, where no second request comes, it costs at most the window
    // itself, about one end-to-end latency here (0.4 ms at one request in flight).
    @Option(names = "--batching-delay-micros", defaultValue = "500",
            description = "the batching servers' max-queue-delay-micros: how long a batch may wait to fill up"
                    + " (default ${DEFAULT-VALUE})")
    private int batchingDelayMicros;

    @Option(names = "--p99-target-ms", defaultValue = "5",
            description = "the capacity search's target: the highest rate with p99 at or under it and no failed"
                    + " request (default ${DEFAULT-VALUE})")
    private double p99TargetMillis;

    @Option(names = "--keep-serving",
            description = "afterwards, start the server (--plan auto) on --port and --grpc-port and keep it up until"
                    + " Ctrl-C")
    private boolean keepServing;

    @Option(names = "--port", defaultValue = "8000",
            description = "the HTTP port of the server --keep-serving leaves up (default ${DEFAULT-VALUE})")
    private int httpPort;

    @Option(names = "--grpc-port", defaultValue = "8001",
            description = "the gRPC port of the server --keep-serving leaves up (default ${DEFAULT-VALUE})")
    private int grpcPort;

    @Option(names = "--models", defaultValue = "models", description = "model repository (default ${DEFAULT-VALUE})")
    private Path models;

    @Option(names = "--server-jar", defaultValue = "server/target/shallowserve-server.jar",
            description = "the server to start (default ${DEFAULT-VALUE})")
    private Path serverJar;

    @Option(names = "--out", defaultValue = "loadtest/target/report",
            description = "report folder (default ${DEFAULT-VALUE})")
    private Path out;

    @Option(names = "--images",
            description = "IDX or image file the requests are made of; default: the Fashion-MNIST test images")
    private Path images;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        Batching batching = Batching.on(batchingDelayMicros);
        double p99TargetMicros = p99TargetMillis * 1000;
        ComparisonSettings settings = quick ? ComparisonSettings.quick(batching, p99TargetMicros)
                : ComparisonSettings.full(batching, p99TargetMicros);
        RunningServer.Launcher launcher = ServerProcess.launcher(serverJar, models, out);
        PrintStream progress = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Path source = images == null ? ImageSet.defaultTestImages() : images;
        String command = "bin/loadtest " + String.join(" ", spec.commandLine().getParseResult().originalArgs());
        ComparisonResult result = new Comparison(settings, models, source, out, launcher, progress, command).run();
        ReportWriter.write(result, out);
        console.println();
        console.print(ReportWriter.consoleTables(result));
        if (result.errors() > 0) {
            console.println(result.errors() + " requests failed or were refused (at a rate above a plan's capacity its"
                    + " queue fills and the server refuses the rest at once: HTTP 503, RESOURCE_EXHAUSTED); the report"
                    + " lists them by kind under the conditions.");
        }
        ReportWriter.headline(result).forEach(line -> console.println("Deep against shallow, " + line + "."));
        console.println("Report: " + out.resolve(ReportWriter.HTML) + " (and " + ReportWriter.MARKDOWN + ", "
                + ReportWriter.JSON + ")");
        console.flush();
        if (keepServing) {
            serveUntilInterrupted(launcher, console);
        }
        // Failed requests are results (an overloaded server refuses some): the report lists them; the run succeeded.
        return 0;
    }

    /** Starts the server as a user would run it and waits; Ctrl-C stops both (ServerProcess's shutdown hook). */
    private void serveUntilInterrupted(RunningServer.Launcher launcher, PrintWriter console) throws Exception {
        RunningServer server = launcher.start(models, "auto", Batching.OFF, portOrFree("HTTP", httpPort, console),
                portOrFree("gRPC", grpcPort, console));
        String http = server.address(Protocol.HTTP);
        String grpc = server.address(Protocol.GRPC);
        console.printf("""

                The server is up, HTTP on %1$s and gRPC on %2$s (plan auto; log in %3$s). Try:
                  curl -s http://%1$s/v2/models/fashion-deep
                  curl -s http://%1$s/metrics
                  bin/loadtest drive --url %2$s --model fashion-shallow --rate 500 --duration 5
                  bin/loadtest drive --url %1$s --protocol http --model fashion-deep --concurrency 1,4
                Ctrl-C stops it.
                """, http, grpc, out.resolve("server-auto.log"));
        console.flush();
        new CountDownLatch(1).await();
    }

    /** {@code port}, or 0 (any free one) when something already listens on it, saying so. */
    private static int portOrFree(String protocol, int port, PrintWriter console) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return port;
        } catch (IOException e) {
            console.println("The " + protocol + " port " + port + " is in use; serving " + protocol
                    + " on a free port instead.");
            return 0;
        }
    }
}
