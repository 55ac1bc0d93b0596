package io.shallowserve.loadtest.driver;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.runtime.tensor.Datatype;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An Open Inference Protocol server over gRPC (plaintext HTTP/2, one channel), inference as one ModelInfer call per
 * request or on ModelStreamInfer streams ({@link GrpcStreamTransport}). Answers are handled on the channel's network
 * thread: the driver only timestamps and counts them, which is quicker than a hand-off to a pool.
 */
public final class GrpcTarget implements Target {

    private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
    /** The longest failure kind a request is counted under: a server's message can be long. */
    private static final int MAX_FAILURE_CHARS = 200;

    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
    private final Duration callTimeout;
    private final boolean streaming;
    /** The streaming transports made so far, closed with the target. */
    private final List<GrpcStreamTransport> streamTransports = new CopyOnWriteArrayList<>();

    /**
     * @param callTimeout the deadline of every call (a stream's requests have none: see {@link GrpcStreamTransport})
     * @param streaming   inference on ModelStreamInfer streams rather than a ModelInfer call per request
     */
    public GrpcTarget(String host, int port, Duration callTimeout, boolean streaming) {
        this.channel = Grpc.newChannelBuilderForAddress(host, port, InsecureChannelCredentials.create())
                .directExecutor()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build();
        this.stub = GRPCInferenceServiceGrpc.newStub(channel);
        this.callTimeout = callTimeout;
        this.streaming = streaming;
    }

    @Override
    public ModelInput input(String model, String version) {
        ModelMetadataResponse metadata;
        try {
            metadata = GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName(model).setVersion(version).build());
        } catch (StatusRuntimeException e) {
            throw new IllegalStateException("model metadata of " + model + ": " + e.getStatus(), e);
        }
        if (metadata.getInputsCount() == 0) {
            throw new IllegalStateException("model " + model + " declares no inputs");
        }
        ModelMetadataResponse.TensorMetadata input = metadata.getInputs(0);
        return new ModelInput(input.getName(), input.getDatatype(), input.getShapeList());
    }

    /** The ModelInfer request carrying {@code tensor}, its data as raw little-endian bytes. */
    private static ModelInferRequest inferRequest(String model, String version, Tensor tensor) {
        ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(tensor.name())
                .setDatatype(Datatype.FP32.name());
        for (long dimension : tensor.shape()) {
            input.addShape(dimension);
        }
        return ModelInferRequest.newBuilder()
                .setModelName(model)
                .setModelVersion(version)
                .addInputs(input)
                .addRawInputContents(ByteString.copyFrom(tensor.littleEndianBytes()))
                .build();
    }

    /** ModelInfer, or ModelStreamInfer if streaming; each tensor as raw input contents. */
    @Override
    public Transport infer(String model, String version, List<Tensor> tensors) {
        List<ModelInferRequest> prepared = tensors.stream().map(t -> inferRequest(model, version, t)).toList();
        if (streaming) {
            GrpcStreamTransport transport = new GrpcStreamTransport(stub, prepared);
            streamTransports.add(transport);
            return transport;
        }
        return (sequence, done) -> withDeadline().modelInfer(
                prepared.get((int) (sequence % prepared.size())), new Answer<>(done));
    }

    /** ServerLive. */
    @Override
    public Transport noOp() {
        ServerLiveRequest request = ServerLiveRequest.getDefaultInstance();
        return (sequence, done) -> withDeadline().serverLive(request, new Answer<>(done));
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceStub withDeadline() {
        return stub.withDeadlineAfter(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the streams first, so that each request still on one is completed as closed, then the channel. */
    @Override
    public void close() {
        streamTransports.forEach(GrpcStreamTransport::close);
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The failure kind of a call that ended with {@code error}: its status code, description and cause. */
    static String failure(Throwable error) {
        Status status = Status.fromThrowable(error);
        String description = status.getCode().name();
        if (status.getDescription() != null) {
            description += ": " + status.getDescription();
        }
        // A transport failure (INTERNAL: http2 exception) says what happened only in its cause.
        if (status.getCause() != null) {
            description += " (" + status.getCause() + ")";
        }
        return bounded(description);
    }

    /** {@code kind}, cut to {@value #MAX_FAILURE_CHARS} characters. */
    static String bounded(String kind) {
        return kind.substring(0, Math.min(kind.length(), MAX_FAILURE_CHARS));
    }

    /** Completes on the call's end: success after its (single) answer, failure with the status code. */
    private record Answer<T>(Transport.Completion done) implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
            // The answer's content is not checked: an OK status is a served request.
        }

        @Override
        public void onError(Throwable error) {
            done.complete(failure(error));
        }

        @Override
        public void onCompleted() {
            done.complete(null);
        }
    }
}
