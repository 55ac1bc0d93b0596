package io.shallowserve.loadtest;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.shallowserve.loadtest.report.Batching;
import io.shallowserve.server.InferenceServer;
import io.shallowserve.server.Main;
import java.nio.file.Path;

/** The real server, started through its {@link Main} in the test's JVM on free loopback ports (HTTP and gRPC). */
final class InProcessServer implements RunningServer {

    /** The committed default models; the module's tests run in loadtest/. */
    static final Path MODELS = Path.of(System.getProperty("shallowserve.test.models", "../models"));

    private final InferenceServer server;

    private InProcessServer(InferenceServer server) {
        this.server = server;
    }

    /** Starts one with {@code --plan plan} on the committed models. */
    static InProcessServer start(String plan, Batching batching) {
        return start(MODELS, plan, batching);
    }

    /**
     * Starts one with {@code --plan plan} on {@code models}. The batching keys go into this server's configuration
     * rather than into system properties, which every server in this JVM would read.
     */
    static InProcessServer start(Path models, String plan, Batching batching) {
        // The tests bind the loopback only; Main reads the listener's host from system properties too.
        System.setProperty("server.host", "127.0.0.1");
        Config config = Config.just(ConfigSources.create(batching.serverProperties()),
                ConfigSources.create(Main.config("--models", models.toString(), "--port", "0", "--grpc-port", "0",
                        "--plan", plan)));
        return new InProcessServer(Main.start(config));
    }

    /** Starts in-process servers for the comparison (any ports: the tests take free ones). */
    static RunningServer.Launcher launcher() {
        return (models, plan, batching, httpPort, grpcPort) -> start(models, plan, batching);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int httpPort() {
        return server.port();
    }

    @Override
    public int grpcPort() {
        return server.grpcPort();
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
