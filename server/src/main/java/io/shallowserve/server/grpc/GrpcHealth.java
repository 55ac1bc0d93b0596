package io.shallowserve.server.grpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The standard {@code grpc.health.v1.Health} service (what Kubernetes gRPC probes call), for the server as a whole
 * (service "") and for {@code inference.GRPCInferenceService}: SERVING while the server is ready, NOT_SERVING
 * otherwise. Readiness changes without the server being told (a model that failed at start loads later, a drain
 * begins), so the status is read again every {@link #REFRESH}, and at once on {@link #refresh()}.
 */
public final class GrpcHealth implements AutoCloseable {

    private static final Duration REFRESH = Duration.ofSeconds(1);

    private final HealthStatusManager manager = new HealthStatusManager();
    private final BooleanSupplier ready;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("shallowserve-grpc-health").daemon(true).factory());

    /** @param ready whether the server is ready now */
    public GrpcHealth(BooleanSupplier ready) {
        this.ready = ready;
        refresh();
        refresher.scheduleWithFixedDelay(this::refresh, REFRESH.toMillis(), REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    public BindableService service() {
        return manager.getHealthService();
    }

    /** Reports the server's readiness to health checks and watches now. */
    public void refresh() {
        ServingStatus status = ready.getAsBoolean() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        manager.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
    }

    /** Stops following readiness; the last status stays. */
    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
