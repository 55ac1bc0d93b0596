package io.shallowserve.loadtest;

import io.shallowserve.loadtest.report.Batching;

/** A started server the comparison measures: where it listens, and how to stop it. */
interface RunningServer extends AutoCloseable {

    String host();

    /** The port of both protocols. */
    int port();

    /** Stops the server; returns when it has stopped. */
    @Override
    void close();

    /** Starts servers: the real process in the comparison, an in-process one in tests. */
    @FunctionalInterface
    interface Launcher {
        /**
         * Starts one server on the loopback serving every model of the repository with {@code plan} and
         * {@code batching}, and returns once it is ready.
         *
         * @param port the port, or 0 for any free one
         */
        RunningServer start(String plan, Batching batching, int port) throws Exception;
    }
}
