package io.shallowserve.server.grpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;

/**
 * The standard {@code grpc.health.v1.Health} service (what Kubernetes gRPC probes call), for the server as a whole
 * (service "") and for {@code inference.GRPCInferenceService}: SERVING while the server is ready, NOT_SERVING
 * once it drains.
 */
public final class GrpcHealth {

    private final HealthStatusManager manager = new HealthStatusManager();

    public BindableService service() {
        return manager.getHealthService();
    }

    /** Reports the server's readiness to health checks and watches. */
    public void ready(boolean ready) {
        ServingStatus status = ready ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
        manager.setStatus(GRPCInferenceServiceGrpc.SERVICE_NAME, status);
    }
}
