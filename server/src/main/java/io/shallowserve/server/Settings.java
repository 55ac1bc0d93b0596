package io.shallowserve.server;

import io.helidon.config.Config;
import io.shallowserve.server.exec.PlanChoice;
import io.shallowserve.server.inference.EngineConfig;
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
 * @param grpcPort        a port of its own for gRPC, or -1 to serve gRPC on the HTTP port
 * @param maxMessageBytes the largest request body (HTTP) or message (gRPC) accepted
 * @param drainDelay      how long a shutdown keeps serving after readiness turned false
 */
public record Settings(EngineConfig engine, int grpcPort, int maxMessageBytes, Duration drainDelay) {

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
                shallowserve.get("repository.load-api").asBoolean().orElse(defaults.loadApi()));
        return new Settings(
                engine,
                shallowserve.get("grpc.port").asInt().get(),
                limits.get("message-bytes").asInt().get(),
                shallowserve.get("shutdown.drain-delay").as(Duration.class).get());
    }

    private static PlanChoice plan(String name) {
        try {
            return PlanChoice.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("shallowserve.plan is '" + name + "'; use single, branches or auto", e);
        }
    }
}
