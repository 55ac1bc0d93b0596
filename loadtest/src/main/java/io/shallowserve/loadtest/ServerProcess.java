package io.shallowserve.loadtest;

import io.shallowserve.loadtest.report.Batching;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real server as a child process: {@code java -Dshallowserve.serving.batching.enabled=B … -jar
 * shallowserve-server.jar --models DIR --port N --grpc-port M --plan P}, bound to the loopback, its output in a log
 * file. A shutdown hook stops it if this JVM ends first.
 */
final class ServerProcess implements RunningServer {

    static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final int httpPort;
    private final int grpcPort;
    private final Thread stopOnExit;

    private ServerProcess(Process process, int httpPort, int grpcPort) {
        this.process = process;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
        this.stopOnExit = new Thread(this::stop, "stop-server-" + httpPort);
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Launches servers of {@code jar}, each logging to {@code logs}/server-PLAN.log, or server-PLAN-batching.log
     * with batching on; a server of another repository than {@code models} to server-REPOSITORY-PLAN.log.
     */
    static RunningServer.Launcher launcher(Path jar, Path models, Path logs) {
        return (repository, plan, batching, httpPort, grpcPort) -> {
            List<Integer> free = freePorts(2);
            String name = (repository.equals(models) ? "" : repository.getFileName() + "-") + plan
                    + (batching.enabled() ? "-batching" : "");
            return start(jar, repository, plan, batching, httpPort == 0 ? free.get(0) : httpPort,
                    grpcPort == 0 ? free.get(1) : grpcPort, logs.resolve("server-" + name + ".log"));
        };
    }

    /**
     * Starts the server and waits until {@code /v2/health/ready} answers 200 (every model loaded) and the gRPC port
     * takes connections.
     *
     * @throws IOException if it exits or is not ready in time; the message carries the end of its log
     */
    static ServerProcess start(Path jar, Path models, String plan, Batching batching, int httpPort, int grpcPort,
            Path log) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing; build the server first (./mvnw -pl server -am package"
                    + " -DskipTests, which bin/loadtest does)");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        // java -jar: ONNX Runtime 1.29 crashes at start-up when the command line is longer than about 4 KB, and the
        // jar's manifest carries the class path.
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dserver.host=" + HOST));
        batching.serverProperties().forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (Runtime.version().feature() >= 24) {
            // Guava (under grpc-java) uses sun.misc.Unsafe, which JDK 24+ warns about in the server's log.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of(
                "-jar", jar.toString(),
                "--models", models.toString(),
                "--port", Integer.toString(httpPort),
                "--grpc-port", Integer.toString(grpcPort),
                "--plan", plan));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ServerProcess server = new ServerProcess(process, httpPort, grpcPort);
        try {
            server.awaitReady(log);
        } catch (IOException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int httpPort() {
        return httpPort;
    }

    @Override
    public int grpcPort() {
        return grpcPort;
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException e) {
            // This JVM is already shutting down: the hook runs, which is what is wanted.
        }
    }

    /** SIGTERM (the server drains and stops), then, after {@link #STOP_TIMEOUT}, SIGKILL. */
    private void stop() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for {@code /v2/health/ready} to answer 200 and the gRPC port to take a connection (two listeners, which
     * need not open at the same moment), the process to die, or the timeout.
     */
    private void awaitReady(Path log) throws IOException, InterruptedException {
        URI ready = URI.create("http://" + HOST + ":" + httpPort + "/v2/health/ready");
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build()) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IOException("the server exited (" + process.exitValue() + ") before it was ready;"
                            + " the end of " + log + ":\n" + tail(log));
                }
                try {
                    HttpResponse<Void> response = client.send(
                            HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(1)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200 && accepts(grpcPort)) {
                        return;
                    }
                } catch (IOException notYet) {
                    // Not listening yet.
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("the server was not ready after " + READY_TIMEOUT.toSeconds() + " s; the end of " + log
                + ":\n" + tail(log));
    }

    /** Whether something on the loopback takes a connection on {@code port}. */
    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /**
     * {@code count} distinct ports nothing listens on now: each stays bound until all are chosen, so none is chosen
     * twice. The server binds them a moment later; should another program take one meanwhile, the server exits and
     * {@link #start} says why.
     */
    static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports.add(socket.getLocalPort());
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
