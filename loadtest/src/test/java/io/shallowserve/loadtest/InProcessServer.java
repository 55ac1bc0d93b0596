package io.shallowserve.loadtest;

import io.shallowserve.server.InferenceServer;
import io.shallowserve.server.Main;
import java.nio.file.Path;

/** The real server, started through its {@link Main} in the test's JVM on a free loopback port. */
final class InProcessServer implements RunningServer {

    /** The committed default models; the module's tests run in loadtest/. */
    static final Path MODELS = Path.of(System.getProperty("shallowserve.test.models", "../models"));

    private final InferenceServer server;

    private InProcessServer(InferenceServer server) {
        this.server = server;
    }

    /** Starts one with {@code --plan plan} on the committed models. */
    static InProcessServer start(String plan) {
        // The tests bind the loopback only; Main reads the listener's host from system properties too.
        System.setProperty("server.host", "127.0.0.1");
        return new InProcessServer(Main.start(Main.config("--models", MODELS.toString(), "--port", "0",
                "--plan", plan)));
    }

    /** Starts in-process servers for the comparison (any port: the tests take a free one). */
    static RunningServer.Launcher launcher() {
        return (plan, port) -> start(plan);
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
