package io.shallowserve.loadtest;

import io.shallowserve.loadtest.driver.Protocol;
import io.shallowserve.loadtest.report.Batching;
import java.nio.file.Path;

/** A started server the comparison measures: where it listens, and how to stop it. */
interface RunningServer extends AutoCloseable {

    String host();

    /** The port of HTTP: the REST paths under /v2 and /metrics. */
    int httpPort();

    /** The port of gRPC. */
    int grpcPort();

    /** The port that serves {@code protocol}. */
    default int port(Protocol protocol) {
        return protocol.frontEnd() == Protocol.GRPC ? grpcPort() : httpPort();
    }

    /** "127.0.0.1:8001", where {@code protocol} is served. */
    default String address(Protocol protocol) {
        return host() + ":" + port(protocol);
    }

    /** Stops the server; returns when it has stopped. */
    @Override
    void close();

    /** Starts servers: the real process in the comparison, an in-process one in tests. */
    @FunctionalInterface
    interface Launcher {
        /**
         * Starts one server on the loopback serving every model of the repository {@code models} with {@code plan}
         * (where a model's config.pbtxt names none) and {@code batching}, and returns once it is ready.
         *
         * @param httpPort the HTTP port, or 0 for any free one
         * @param grpcPort the gRPC port, or 0 for any free one
         */
        RunningServer start(Path models, String plan, Batching batching, int httpPort, int grpcPort)
                throws Exception;
    }
}
