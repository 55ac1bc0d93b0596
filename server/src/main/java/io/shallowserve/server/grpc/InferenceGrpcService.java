package io.shallowserve.server.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shallowserve.proto.inference.CudaSharedMemoryRegisterRequest;
import io.shallowserve.proto.inference.CudaSharedMemoryRegisterResponse;
import io.shallowserve.proto.inference.CudaSharedMemoryStatusRequest;
import io.shallowserve.proto.inference.CudaSharedMemoryStatusResponse;
import io.shallowserve.proto.inference.CudaSharedMemoryUnregisterRequest;
import io.shallowserve.proto.inference.CudaSharedMemoryUnregisterResponse;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.LogSettingsRequest;
import io.shallowserve.proto.inference.LogSettingsResponse;
import io.shallowserve.proto.inference.ModelConfigRequest;
import io.shallowserve.proto.inference.ModelConfigResponse;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelReadyRequest;
import io.shallowserve.proto.inference.ModelReadyResponse;
import io.shallowserve.proto.inference.ModelRepositoryParameter;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.proto.inference.ModelStreamInferResponse;
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
import io.shallowserve.proto.inference.SystemSharedMemoryRegisterRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryRegisterResponse;
import io.shallowserve.proto.inference.SystemSharedMemoryStatusRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryStatusResponse;
import io.shallowserve.proto.inference.SystemSharedMemoryUnregisterRequest;
import io.shallowserve.proto.inference.SystemSharedMemoryUnregisterResponse;
import io.shallowserve.proto.inference.TraceSettingRequest;
import io.shallowserve.proto.inference.TraceSettingResponse;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelLoader;
import io.shallowserve.server.inference.RequestRouter;
import io.shallowserve.server.observe.FailureLog;
import io.shallowserve.server.observe.RequestMetrics;
import io.shallowserve.server.protocol.ConfigOverride;
import io.shallowserve.server.protocol.EngineCall;
import io.shallowserve.server.protocol.ModelConfiguration;
import io.shallowserve.server.protocol.ServerMetadata;
import io.shallowserve.server.protocol.UnofferedExtensions;
import io.shallowserve.server.protocol.UnofferedExtensions.SharedMemory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code inference.GRPCInferenceService}, the Open Inference Protocol over gRPC, on grpc-java's server.
 *
 * <p>ModelInfer never waits: it hands the request to the engine and answers when the engine's future completes, on
 * the model instance's thread. A call the client cancels, or whose deadline passes, cancels that future, which
 * takes the request out of its queue if it has not started. ModelStreamInfer runs each request of its stream so
 * ({@link InferStream}). The other methods answer at once.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private static final System.Logger LOG = System.getLogger(InferenceGrpcService.class.getName());
    private static final FailureLog FAILURES = new FailureLog(LOG);

    private final RequestRouter router;
    private final ModelLoader loader;
    private final RequestMetrics metrics;
    private final ServerMetadataResponse serverMetadata;

    public InferenceGrpcService(RequestRouter router, ModelLoader loader, RequestMetrics metrics,
            ServerMetadata server) {
        this.router = router;
        this.loader = loader;
        this.metrics = metrics;
        this.serverMetadata = ServerMetadataResponse.newBuilder()
                .setName(server.name())
                .setVersion(server.version())
                .addAllExtensions(server.extensions())
                .build();
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
        respond(observer, () -> ServerLiveResponse.newBuilder().setLive(router.live()).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
        respond(observer, () -> ServerReadyResponse.newBuilder().setReady(router.ready()).build());
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
        // ready = false for every model version that does not serve, also one the repository does not have, as
        // Triton answered until its core's commit 73aad7c (June 2026; InferenceServer::ModelIsReady ignored a failed
        // lookup). Triton since answers NOT_FOUND for a model it does not have; false is kept here because
        // tritonclient's is_model_ready() then returns False instead of raising, e.g. while a client waits for a
        // model that is yet to be copied into the repository. A version that is not a number is INVALID_ARGUMENT, as
        // in Triton.
        respond(observer, () -> ModelReadyResponse.newBuilder()
                .setReady(router.modelReady(request.getName(), versionNumber(request.getVersion()))).build());
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
        respond(observer, () -> serverMetadata);
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
        respond(observer, () -> ProtoCodec.modelMetadataResponse(
                router.metadata(request.getName(), versionNumber(request.getVersion()))));
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
        ServerCallStreamObserver<ModelInferResponse> call = (ServerCallStreamObserver<ModelInferResponse>) observer;
        CompletableFuture<InferenceResponse> inference = submit(request);
        call.setOnCancelHandler(() -> inference.cancel(false));
        inference.whenComplete((done, failure) -> {
            if (!call.isCancelled()) {
                respond(observer, () -> {
                    if (failure != null) {
                        throw InferenceException.of(failure);
                    }
                    return ProtoCodec.modelInferResponse(done).build();
                });
            }
        });
    }

    @Override
    public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> observer) {
        return new InferStream(observer, this::submit, InferenceGrpcService::logged);
    }

    /** Hands {@code request} to the engine, with the call's deadline; the future ends with its response. */
    private CompletableFuture<InferenceResponse> submit(ModelInferRequest request) {
        long deadline = deadlineNanoTime();
        return metrics.record(request.getModelName(), () -> {
            String version;
            try {
                version = versionNumber(request.getModelVersion());
            } catch (InferenceException e) {
                return CompletableFuture.failedFuture(e);
            }
            return router.submit(request.getModelName(), version,
                    () -> ProtoCodec.inferenceRequest(request, deadline));
        });
    }

    /**
     * A version field as Triton reads it (GetModelVersionFromString): empty for the newest READY version, else a
     * number; any other text (a negative number too) is INVALID_ARGUMENT. HTTP's paths take digits only, so there
     * such a version is a path the server does not have.
     */
    private static String versionNumber(String version) throws InferenceException {
        if (!version.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw InferenceException.invalid("model version '" + version + "' is not a version number; give an"
                    + " integer above 0, or leave it empty for the newest READY version");
        }
        return version;
    }

    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> observer) {
        respond(observer, () -> ModelConfigResponse.newBuilder()
                .setConfig(ModelConfiguration.of(router.metadata(request.getName(),
                                versionNumber(request.getVersion())),
                        loader.cudaDevice()))
                .build());
    }

    @Override
    public void modelStatistics(ModelStatisticsRequest request, StreamObserver<ModelStatisticsResponse> observer) {
        respond(observer, () -> ProtoCodec.modelStatisticsResponse(
                router.statistics(request.getName(), versionNumber(request.getVersion()))));
    }

    @Override
    public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.namedRepository(request.getRepositoryName());
            return ProtoCodec.repositoryIndexResponse(loader.index(), request.getReady());
        });
    }

    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request,
            StreamObserver<RepositoryModelLoadResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.namedRepository(request.getRepositoryName());
            // A parameter that is not a string_param goes on as null: "config" must be one, "file:" ones are refused.
            Map<String, String> parameters = new LinkedHashMap<>();
            request.getParametersMap().forEach((name, value) -> parameters.put(name,
                    value.getParameterChoiceCase() == ModelRepositoryParameter.ParameterChoiceCase.STRING_PARAM
                            ? value.getStringParam() : null));
            loader.load(request.getModelName(), ConfigOverride.fromParameters(request.getModelName(), parameters,
                    loader.servingDefaults(), loader.maxBatchSize(), loader.cudaDevice()));
            return RepositoryModelLoadResponse.getDefaultInstance();
        });
    }

    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
            StreamObserver<RepositoryModelUnloadResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.namedRepository(request.getRepositoryName());
            loader.unload(request.getModelName());
            return RepositoryModelUnloadResponse.getDefaultInstance();
        });
    }

    @Override
    public void systemSharedMemoryStatus(SystemSharedMemoryStatusRequest request,
            StreamObserver<SystemSharedMemoryStatusResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryStatus(SharedMemory.SYSTEM, request.getName());
            return SystemSharedMemoryStatusResponse.getDefaultInstance();
        });
    }

    @Override
    public void systemSharedMemoryRegister(SystemSharedMemoryRegisterRequest request,
            StreamObserver<SystemSharedMemoryRegisterResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryRegister(SharedMemory.SYSTEM);
            return SystemSharedMemoryRegisterResponse.getDefaultInstance();
        });
    }

    @Override
    public void systemSharedMemoryUnregister(SystemSharedMemoryUnregisterRequest request,
            StreamObserver<SystemSharedMemoryUnregisterResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryUnregister(SharedMemory.SYSTEM, request.getName());
            return SystemSharedMemoryUnregisterResponse.getDefaultInstance();
        });
    }

    @Override
    public void cudaSharedMemoryStatus(CudaSharedMemoryStatusRequest request,
            StreamObserver<CudaSharedMemoryStatusResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryStatus(SharedMemory.CUDA, request.getName());
            return CudaSharedMemoryStatusResponse.getDefaultInstance();
        });
    }

    @Override
    public void cudaSharedMemoryRegister(CudaSharedMemoryRegisterRequest request,
            StreamObserver<CudaSharedMemoryRegisterResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryRegister(SharedMemory.CUDA);
            return CudaSharedMemoryRegisterResponse.getDefaultInstance();
        });
    }

    @Override
    public void cudaSharedMemoryUnregister(CudaSharedMemoryUnregisterRequest request,
            StreamObserver<CudaSharedMemoryUnregisterResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.sharedMemoryUnregister(SharedMemory.CUDA, request.getName());
            return CudaSharedMemoryUnregisterResponse.getDefaultInstance();
        });
    }

    @Override
    public void traceSetting(TraceSettingRequest request, StreamObserver<TraceSettingResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.traceSetting();
            return TraceSettingResponse.getDefaultInstance();
        });
    }

    @Override
    public void logSettings(LogSettingsRequest request, StreamObserver<LogSettingsResponse> observer) {
        respond(observer, () -> {
            UnofferedExtensions.logSettings();
            return LogSettingsResponse.getDefaultInstance();
        });
    }

    /** Whether some model version could queue another request now. */
    boolean anyQueueHasRoom() {
        return router.anyQueueHasRoom();
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
        } catch (InferenceException | RuntimeException e) {
            observer.onError(ProtoCodec.status(logged(InferenceException.of(e))).asRuntimeException());
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** Logs a failure that is the server's own (INTERNAL), with its cause. */
    private static InferenceException logged(InferenceException e) {
        if (e.status() == InferenceException.Status.INTERNAL) {
            FAILURES.failed("gRPC request failed: " + e.getMessage(), e.getCause());
        }
        return e;
    }
}
