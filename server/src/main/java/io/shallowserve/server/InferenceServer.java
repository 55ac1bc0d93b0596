package io.shallowserve.server;

import io.helidon.webserver.WebServer;
import io.shallowserve.server.grpc.GrpcHealth;
import io.shallowserve.server.inference.InferenceEngine;

/** A started server: where it listens, and its way out (drain, then stop). */
public final class InferenceServer {

    private static final System.Logger LOG = System.getLogger(InferenceServer.class.getName());

    private final WebServer webServer;
    private final InferenceEngine engine;
    private final GrpcHealth health;
    private final String httpSocket;

    /** @param httpSocket the listener that serves HTTP; the default listener always serves gRPC */
    InferenceServer(WebServer webServer, InferenceEngine engine, GrpcHealth health, String httpSocket) {
        this.webServer = webServer;
        this.engine = engine;
        this.health = health;
        this.httpSocket = httpSocket;
    }

    /** The HTTP port (and the gRPC port, unless gRPC has one of its own). */
    public int port() {
        return webServer.port(httpSocket);
    }

    /** The port that serves gRPC. */
    public int grpcPort() {
        return webServer.port();
    }

    /**
     * Readiness turns false on both protocols (health NOT_SERVING, {@code /v2/health/ready} 503), so that load
     * balancers stop sending; requests that still arrive are served.
     */
    public void drain() {
        health.ready(false);
        engine.drain();
    }

    /**
     * What a SIGTERM does: drains, lets the engine finish the requests in flight (new ones get UNAVAILABLE), then
     * stops the web server, which gives their responses the shutdown grace period to leave.
     */
    public void shutdown() {
        LOG.log(System.Logger.Level.INFO, "Shutting down: readiness false, finishing the requests in flight");
        drain();
        engine.close();
        webServer.stop();
    }
}
