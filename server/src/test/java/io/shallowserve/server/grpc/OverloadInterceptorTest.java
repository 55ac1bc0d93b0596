package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.proto.inference.ServerLiveResponse;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A grpc-java server on loopback whose ModelInfer counts its calls, behind the interceptor. */
class OverloadInterceptorTest {

    private final AtomicBoolean room = new AtomicBoolean(true);
    private final AtomicInteger served = new AtomicInteger();
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase service =
                new GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase() {
                    @Override
                    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
                        served.incrementAndGet();
                        observer.onNext(ModelInferResponse.getDefaultInstance());
                        observer.onCompleted();
                    }

                    @Override
                    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
                        observer.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
                        observer.onCompleted();
                    }
                };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .maxInboundMessageSize(64 * 1024 * 1024)
                .addService(ServerInterceptors.intercept(service, new OverloadInterceptor(room::get)))
                .build()
                .start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void modelInfer_whileSomeQueueHasRoom_reachesTheService() {
        stub().modelInfer(ModelInferRequest.newBuilder().setModelName("m").build());

        assertThat(served).hasValue(1);
    }

    @Test
    void modelInfer_whenEveryQueueIsFull_isRefusedWithoutReachingTheService() {
        room.set(false);
        ModelInferRequest large = ModelInferRequest.newBuilder().setModelName("m")
                .addRawInputContents(ByteString.copyFrom(new byte[8 * 1024 * 1024])).build();

        assertThatThrownBy(() -> stub().modelInfer(large))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription()).contains("queue is full");
                });
        assertThat(served).hasValue(0);
    }

    @Test
    void otherMethods_whenEveryQueueIsFull_stillAnswer() {
        room.set(false);

        assertThat(stub().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .withMaxOutboundMessageSize(64 * 1024 * 1024);
    }
}
