package io.shallowserve.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcReflectionFeature;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shallowserve.server.grpc.DeadlineInterceptor;
import io.shallowserve.server.grpc.GrpcHealth;
import io.shallowserve.server.grpc.InferenceGrpcService;
import io.shallowserve.server.http.InferenceHttpService;
import io.shallowserve.server.http.JsonResponses;
import io.shallowserve.server.inference.InferenceEngine;
import io.shallowserve.server.inference.ModelState;
import io.shallowserve.server.observe.Logging;
import io.shallowserve.server.observe.Metrics;
import io.shallowserve.server.observe.MetricsService;
import io.shallowserve.server.observe.RequestMetrics;
import java.util.List;
import java.util.Set;

/**
 * Starts shallowserve: configuration, then the inference engine with every model of the repository, then one
 * Helidon WebServer with the gRPC and HTTP front-ends and {@code /metrics}. A SIGTERM drains it before it stops.
 */
public final class Main {

    /** The name of the listener that serves HTTP when gRPC has a port of its own. */
    private static final String HTTP_SOCKET = "http";

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

    /** Wires configuration, engine, routing and server, and starts them. */
    public static InferenceServer start(Config config) {
        Settings settings = Settings.create(config.get("shallowserve"));
        PrometheusMeterRegistry registry = Metrics.createRegistry();
        InferenceEngine engine = InferenceEngine.start(settings.engine(), registry);
        ServerMetadata server = ServerMetadata.current();
        GrpcHealth health = new GrpcHealth();
        health.ready(engine.ready());

        GrpcRouting.Builder grpc = GrpcRouting.builder()
                .intercept(new DeadlineInterceptor())
                .service(new InferenceGrpcService(engine, new RequestMetrics(registry, "grpc", engine::knows), server,
                        settings.maxMessageBytes()))
                .service(health.proto(), health.service());
        HttpRouting.Builder http = HttpRouting.builder()
                .register("/v2", new InferenceHttpService(engine, new RequestMetrics(registry, "http", engine::knows), server))
                .register("/metrics", new MetricsService(registry))
                .any(JsonResponses::notFound);

        Config serverConfig = config.get("server");
        // Helidon resets a gRPC call whose message is over its read buffer without a useful status. With room for
        // twice the limit, the service itself refuses a message over the limit, saying so; the buffer still
        // bounds what one call can make the server hold.
        GrpcConfig grpcProtocol = GrpcConfig.builder()
                .maxReadBufferSize((int) Math.min(2L * settings.maxMessageBytes(), Integer.MAX_VALUE - 8))
                .build();
        WebServerConfig.Builder builder = WebServer.builder()
                .config(serverConfig)
                // Our own shutdown hook drains before the server stops.
                .shutdownHook(false)
                // Reflection on the listener that serves gRPC, which is always the default one: Helidon 4.5.0's
                // reflection lists no services on a named listener.
                .addFeature(GrpcReflectionFeature.create(
                        reflection -> reflection.enabled(true).sockets(Set.of(WebServer.DEFAULT_SOCKET_NAME))));
        String httpSocket = WebServer.DEFAULT_SOCKET_NAME;
        if (settings.grpcPort() >= 0) {
            // gRPC on a port of its own: the default listener moves there and HTTP gets a named listener on
            // server.port, with the server's settings (tcp-no-delay, body limit).
            httpSocket = HTTP_SOCKET;
            builder.port(settings.grpcPort())
                    .putSocket(HTTP_SOCKET, socket -> socket.config(serverConfig)
                            .name(HTTP_SOCKET)
                            .directHandlers(JsonResponses.directHandlers(settings.maxMessageBytes())))
                    .routing(HTTP_SOCKET, http);
        } else {
            // Helidon takes a listener's HTTP routing only before its other routings.
            builder.directHandlers(JsonResponses.directHandlers(settings.maxMessageBytes())).addRouting(http);
        }
        builder.addProtocol(grpcProtocol).addRouting(grpc);
        WebServer webServer = builder.build().start();
        InferenceServer inferenceServer = new InferenceServer(webServer, engine, health, httpSocket,
                settings.drainDelay());
        log().log(System.Logger.Level.INFO, "shallowserve {0} serving {1} model(s): HTTP on port {2}, gRPC on port {3}",
                server.version(), engine.index().stream().filter(m -> m.state() == ModelState.State.READY)
                        .map(ModelState::name).distinct().count(), Integer.toString(inferenceServer.port()),
                Integer.toString(inferenceServer.grpcPort()));
        return inferenceServer;
    }
}
