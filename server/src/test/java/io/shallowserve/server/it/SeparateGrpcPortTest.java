package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.server.testdata.FashionMnist;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ServerReadyRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --grpc-port}: gRPC gets a listener of its own, HTTP stays on the main port. */
class SeparateGrpcPortTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single", "--grpc-port", "0");

    @Test
    void grpcPort_servesGrpcWhileTheMainPortServesHttp() {
        String model = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
        float[] image = FashionMnist.testImages(1);

        assertThat(SERVER.server().grpcPort()).isNotEqualTo(SERVER.server().port());
        assertThat(SERVER.grpc().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model, image)))).hasSize(10);
        assertThat(SERVER.reflectedServices()).contains(GRPCInferenceServiceGrpc.SERVICE_NAME);
        assertThat(SERVER.get("/v2/health/ready").statusCode()).isEqualTo(200);
    }
}
