package io.shallowserve.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shallowserve.server.grpc.GrpcHealth;
import io.shallowserve.server.grpc.GrpcServer;
import io.shallowserve.server.grpc.InferenceGrpcService;
import io.shallowserve.server.http.HttpPort;
import io.shallowserve.server.http.InferenceHttpService;
import io.shallowserve.server.http.JsonResponses;
import io.shallowserve.server.http.UnofferedExtensionsHttpService;
import io.shallowserve.server.inference.InferenceEngine;
import io.shallowserve.server.inference.ModelLoader;
import io.shallowserve.server.inference.ModelState;
import io.shallowserve.server.inference.RequestRouter;
import io.shallowserve.server.observe.Logging;
import io.shallowserve.server.observe.Metrics;
import io.shallowserve.server.observe.MetricsService;
import io.shallowserve.server.observe.RequestMetrics;
import io.shallowserve.server.protocol.ServerMetadata;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Starts shallowserve: configuration, then the inference engine with every model of the repository, then the HTTP
 * front-end and {@code /metrics} on Helidon's WebServer and the gRPC front-end on grpc-java's server. A SIGTERM
 * drains them before they stop.
 */
public final class Main {

    private Main() {
    }

    /** Logs only from methods: a logger in a static field would start logging before main chose how. */
    private static System.Logger log() {
        return System.getLogger(Main.class.getName());
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help")) {
            System.out.println(CommandLine.USAGE);
            return;
        }
        Logging.configure();
        InferenceServer server;
        try {
            server = start(config(args));
        } catch (IllegalArgumentException e) {
            // A flag, a setting or the model repository is wrong: the message says which.
            System.err.println("shallowserve: " + e.getMessage() + "\n" + CommandLine.USAGE);
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "shallowserve-shutdown"));
    }

    /**
     * The configuration: command-line flags, then system properties, then environment variables, then
     * application.yaml; the first that has a key wins.
     */
    public static Config config(String... args) {
        return Config.builder()
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .sources(List.of(
                        ConfigSources.create(CommandLine.overrides(args)),
                        ConfigSources.systemProperties(),
                        ConfigSources::environmentVariables,
                        ConfigSources.classpath("application.yaml")))
                .build();
    }

    /** Wires configuration, engine, routing and servers, and starts them. */
    public static InferenceServer start(Config config) {
        Settings settings = Settings.create(config.get("shallowserve"));
        PrometheusMeterRegistry registry = Metrics.createRegistry();
        InferenceEngine engine = InferenceEngine.start(settings.engine(), registry);
        RequestRouter router = engine.router();
        ModelLoader loader = engine.loader();
        ServerMetadata server = ServerMetadata.current();
        GrpcHealth health = new GrpcHealth(router::ready);

        // Platform threads for the front-ends' computing (decoding requests) and slow calls (repository loads);
        // request threads, virtual or event-loop, only wait. One per core, as decoding is computing, but at least
        // four, so that a repository load taking seconds leaves decoding threads free on a small machine.
        int workerThreads = Math.max(4, Runtime.getRuntime().availableProcessors());
        ExecutorService workers = Executors.newFixedThreadPool(workerThreads,
                Thread.ofPlatform().name("shallowserve-frontend-", 0).daemon(true).factory());
        HttpRouting.Builder http = HttpRouting.builder()
                .register("/v2", new InferenceHttpService(router, loader,
                        new RequestMetrics(registry, "http", loader::knows), server, workers))
                .register("/v2", new UnofferedExtensionsHttpService())
                .register("/metrics", new MetricsService(registry, router::statistics))
                .any(JsonResponses::notFound);
        WebServer webServer;
        try {
            webServer = WebServer.builder()
                    .config(config.get("server"))
                    // Our own shutdown hook drains before the server stops.
                    .shutdownHook(false)
                    .update(listener -> HttpPort.configure(config.get("server"), listener, http))
                    .addRouting(http)
                    .build()
                    .start();
        } catch (RuntimeException e) {
            workers.shutdownNow();
            health.close();
            engine.close();
            throw e;
        }
        GrpcServer grpcServer;
        try {
            grpcServer = GrpcServer.start(settings.grpc(), new InferenceGrpcService(router, loader,
                    new RequestMetrics(registry, "grpc", loader::knows), server), health, workers, registry);
        } catch (RuntimeException e) {
            webServer.stop();
            workers.shutdownNow();
            health.close();
            engine.close();
            throw e;
        }
        Duration grace = config.get("server.shutdown-grace-period").as(Duration.class).get();
        InferenceServer inferenceServer = new InferenceServer(webServer, grpcServer, workers, engine, health,
                settings.drainDelay(), grace);
        log().log(System.Logger.Level.INFO, "shallowserve {0} serving {1} model(s): HTTP on port {2}, gRPC on port {3}",
                server.version(), loader.index().stream().filter(m -> m.state() == ModelState.State.READY)
                        .map(ModelState::name).distinct().count(), Integer.toString(inferenceServer.port()),
                Integer.toString(inferenceServer.grpcPort()));
        return inferenceServer;
    }
}
