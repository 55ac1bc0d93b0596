package io.shallowserve.server;

import io.helidon.config.Config;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.server.grpc.GrpcServer;
import io.shallowserve.server.inference.EngineConfig;
import io.shallowserve.server.inference.Readiness;
import io.shallowserve.server.repository.ModelSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code shallowserve} section of the configuration (application.yaml, overridable by environment variables,
 * system properties and {@link CommandLine} flags). The engine's keys that application.yaml leaves out take the
 * engine's defaults, which depend on the machine's cores.
 *
 * @param engine          what the inference engine is started with
 * @param grpc            grpc-java's server: port, limits, keepalive and connection policy
 * @param maxMessageBytes the largest request body (HTTP) or message (gRPC) accepted
 * @param drainDelay      how long a shutdown keeps serving after readiness turned false
 */
public record Settings(EngineConfig engine, GrpcServer.Options grpc, int maxMessageBytes, Duration drainDelay) {

    /** Reads the settings from the {@code shallowserve} node. */
    public static Settings create(Config shallowserve) {
        Path models = Path.of(shallowserve.get("models").asString().get());
        EngineConfig defaults = EngineConfig.defaults(models);
        Config limits = shallowserve.get("limits");
        Config threads = shallowserve.get("threads");
        EngineConfig engine = new EngineConfig(
                models,
                shallowserve.get("plan").asString().map(Settings::plan).orElse(defaults.plan()),
                shallowserve.get("device").asString().orElse(defaults.device()),
                limits.get("batch").asInt().orElse(defaults.maxBatchSize()),
                limits.get("queued").asInt().orElse(defaults.maxQueued()),
                threads.get("branches").asInt().orElse(defaults.branchThreads()),
                threads.get("intra-op").asInt().orElse(defaults.intraOpThreads()),
                shallowserve.get("shutdown.timeout").as(Duration.class).orElse(defaults.closeTimeout()),
                ModelSettings.read(shallowserve.get("serving"), defaults.serving()),
                shallowserve.get("repository.poll").as(Duration.class).orElse(defaults.repositoryPoll()),
                shallowserve.get("repository.load-api").asBoolean().orElse(defaults.loadApi()),
                new Readiness(
                        shallowserve.get("readiness.models").asString().map(Readiness.Models::parse)
                                .orElse(defaults.readiness().models()),
                        shallowserve.get("readiness.cpu-fallback").asBoolean()
                                .orElse(defaults.readiness().cpuFallback())));
        int maxMessageBytes = limits.get("message-bytes").asInt().get();
        Config grpc = shallowserve.get("grpc");
        GrpcServer.Options grpcOptions = new GrpcServer.Options(
                grpc.get("host").asString().get(),
                grpc.get("port").asInt().get(),
                maxMessageBytes,
                grpc.get("max-metadata-bytes").asInt().get(),
                grpc.get("max-calls-per-connection").asInt().get(),
                grpc.get("keepalive-time").as(Duration.class).get(),
                grpc.get("keepalive-timeout").as(Duration.class).get(),
                grpc.get("permit-keepalive-time").as(Duration.class).get(),
                grpc.get("max-connection-idle").as(Duration.class).get(),
                grpc.get("max-connection-age").as(Duration.class).get(),
                grpc.get("max-connection-age-grace").as(Duration.class).get(),
                grpc.get("handshake-timeout").as(Duration.class).get(),
                grpc.get("max-rst-frames-per-window").asInt().get(),
                grpc.get("rst-frames-window").as(Duration.class).get());
        return new Settings(
                engine,
                grpcOptions,
                maxMessageBytes,
                shallowserve.get("shutdown.drain-delay").as(Duration.class).get());
    }

    private static PlanChoice plan(String name) {
        try {
            return PlanChoice.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shallowserve.plan is '" + name + "'; use single, wide, grouped,"
                    + " branches or auto", e);
        }
    }
}
