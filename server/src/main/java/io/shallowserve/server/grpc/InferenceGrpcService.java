package io.shallowserve.server.grpc;

import com.google.protobuf.Descriptors;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.helidon.webserver.grpc.GrpcService;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelReadyRequest;
import io.shallowserve.proto.inference.ModelReadyResponse;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.proto.inference.RepositoryIndexRequest;
import io.shallowserve.proto.inference.RepositoryIndexResponse;
import io.shallowserve.proto.inference.RepositoryModelLoadRequest;
import io.shallowserve.proto.inference.RepositoryModelLoadResponse;
import io.shallowserve.proto.inference.RepositoryModelUnloadRequest;
import io.shallowserve.proto.inference.RepositoryModelUnloadResponse;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.proto.inference.ServerLiveResponse;
import io.shallowserve.proto.inference.ServerMetadataRequest;
import io.shallowserve.proto.inference.ServerMetadataResponse;
import io.shallowserve.proto.inference.ServerReadyRequest;
import io.shallowserve.proto.inference.ServerReadyResponse;
import io.shallowserve.server.EngineCall;
import io.shallowserve.server.ServerMetadata;
import io.shallowserve.server.inference.InferenceEngine;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.observe.RequestMetrics;
import java.util.concurrent.TimeUnit;

/**
 * {@code inference.GRPCInferenceService}, the Open Inference Protocol over gRPC.
 *
 * <p>Helidon calls each unary method on the virtual thread of its HTTP/2 stream, so the methods call the blocking
 * engine directly. They never throw: Helidon 4.5.0 does not turn an exception from a service method into a
 * status, and the client would wait for an answer that never comes.
 */
public final class InferenceGrpcService implements GrpcService {

    private static final System.Logger LOG = System.getLogger(InferenceGrpcService.class.getName());

    private final InferenceEngine engine;
    private final RequestMetrics metrics;
    private final ServerMetadataResponse serverMetadata;
    private final int maxMessageBytes;

    /** @param maxMessageBytes the largest ModelInfer request message accepted */
    public InferenceGrpcService(InferenceEngine engine, RequestMetrics metrics, ServerMetadata server,
            int maxMessageBytes) {
        this.engine = engine;
        this.metrics = metrics;
        this.maxMessageBytes = maxMessageBytes;
        this.serverMetadata = ServerMetadataResponse.newBuilder()
                .setName(server.name())
                .setVersion(server.version())
                .addAllExtensions(server.extensions())
                .build();
    }

    @Override
    public Descriptors.FileDescriptor proto() {
        return io.shallowserve.proto.inference.GrpcService.getDescriptor();
    }

    @Override
    public String serviceName() {
        return GRPCInferenceServiceGrpc.SERVICE_NAME;
    }

    @Override
    public void update(Routing routing) {
        routing.unary("ServerLive", this::serverLive)
                .unary("ServerReady", this::serverReady)
                .unary("ModelReady", this::modelReady)
                .unary("ServerMetadata", this::serverMetadata)
                .unary("ModelMetadata", this::modelMetadata)
                .unary("ModelInfer", this::modelInfer)
                .unary("ModelStatistics", this::modelStatistics)
                .unary("RepositoryIndex", this::repositoryIndex)
                .unary("RepositoryModelLoad", this::repositoryModelLoad)
                .unary("RepositoryModelUnload", this::repositoryModelUnload);
    }

    private void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
        respond(observer, () -> ServerLiveResponse.newBuilder().setLive(engine.live()).build());
    }

    private void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
        respond(observer, () -> ServerReadyResponse.newBuilder().setReady(engine.ready()).build());
    }

    private void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
        respond(observer, () -> {
            boolean ready = engine.modelReady(request.getName(), request.getVersion());
            if (!ready) {
                // Throws NOT_FOUND for a model or version the repository does not have.
                engine.metadata(request.getName(), request.getVersion());
            }
            return ModelReadyResponse.newBuilder().setReady(ready).build();
        });
    }

    private void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
        respond(observer, () -> serverMetadata);
    }

    private void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
        respond(observer, () -> ProtoCodec.modelMetadataResponse(
                engine.metadata(request.getName(), request.getVersion())));
    }

    private void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
        respond(observer, () -> metrics.record(request.getModelName(), () -> {
            if (request.getSerializedSize() > maxMessageBytes) {
                throw new InferenceException(InferenceException.Status.RESOURCE_EXHAUSTED, "the request message has "
                        + request.getSerializedSize() + " bytes, over the limit of " + maxMessageBytes
                        + " bytes (shallowserve.limits.message-bytes); send fewer images per request");
            }
            return ProtoCodec.modelInferResponse(
                    engine.infer(ProtoCodec.inferenceRequest(request, deadlineNanoTime())),
                    request.getRawInputContentsCount() > 0);
        }));
    }

    private void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> observer) {
        respond(observer, () -> ProtoCodec.modelStatisticsResponse(
                engine.statistics(request.getName(), request.getVersion())));
    }

    private void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> observer) {
        respond(observer, () -> ProtoCodec.repositoryIndexResponse(engine.index(), request.getReady()));
    }

    private void repositoryModelLoad(RepositoryModelLoadRequest request,
            StreamObserver<RepositoryModelLoadResponse> observer) {
        respond(observer, () -> {
            engine.load(request.getModelName());
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    private void repositoryModelUnload(RepositoryModelUnloadRequest request,
            StreamObserver<RepositoryModelUnloadResponse> observer) {
        respond(observer, () -> {
            engine.unload(request.getModelName());
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    /** The client's deadline on the {@link System#nanoTime()} scale, {@link Long#MAX_VALUE} if it set none. */
    private static long deadlineNanoTime() {
        Deadline deadline = Context.current().getDeadline();
        return deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    }

    /** Sends what {@code call} returns, or the status its failure maps to. */
    private static <T> void respond(StreamObserver<T> observer, EngineCall<T> call) {
        T response;
        try {
            response = call.run();
        } catch (InferenceException e) {
            observer.onError(ProtoCodec.status(e).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "gRPC request failed", e);
            observer.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }
}
