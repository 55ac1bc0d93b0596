package io.shallowserve.server;

import io.helidon.webserver.WebServer;
import io.shallowserve.server.grpc.GrpcHealth;
import io.shallowserve.server.grpc.GrpcServer;
import io.shallowserve.server.inference.InferenceEngine;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/** A started server: where it listens, and its way out (drain, then stop). */
public final class InferenceServer {

    private static final System.Logger LOG = System.getLogger(InferenceServer.class.getName());

    private final WebServer webServer;
    private final GrpcServer grpcServer;
    private final ExecutorService workers;
    private final InferenceEngine engine;
    private final GrpcHealth health;
    private final Duration drainDelay;
    private final Duration grace;
    private final AtomicBoolean shutDown = new AtomicBoolean();

    /**
     * @param workers    the front-ends' platform threads, stopped with the servers
     * @param drainDelay how long a shutdown keeps serving after readiness turned false
     * @param grace      how long responses in flight have to leave once the engine finished them
     */
    InferenceServer(WebServer webServer, GrpcServer grpcServer, ExecutorService workers, InferenceEngine engine,
            GrpcHealth health, Duration drainDelay, Duration grace) {
        this.webServer = webServer;
        this.grpcServer = grpcServer;
        this.workers = workers;
        this.engine = engine;
        this.health = health;
        this.drainDelay = drainDelay;
        this.grace = grace;
    }

    /** The HTTP port. */
    public int port() {
        return webServer.port();
    }

    /** The gRPC port. */
    public int grpcPort() {
        return grpcServer.port();
    }

    /**
     * Readiness turns false on both protocols (health NOT_SERVING, {@code /v2/health/ready} 503), so that load
     * balancers stop sending; requests that still arrive are served.
     */
    public void drain() {
        engine.router().drain();
        health.refresh();
    }

    /**
     * What a SIGTERM does: drains, keeps serving for the drain delay (time for load balancers that poll readiness
     * to stop sending), lets the engine finish the requests in flight (new ones get UNAVAILABLE), then stops both
     * servers, which give their responses the shutdown grace period to leave. Only the first call does so.
     */
    public void shutdown() {
        if (!shutDown.compareAndSet(false, true)) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "Shutting down: readiness false, serving {0} more, then finishing the"
                + " requests in flight", drainDelay);
        drain();
        try {
            Thread.sleep(drainDelay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.close();
        grpcServer.stop(grace);
        webServer.stop();
        workers.shutdownNow();
        health.close();
    }
}
