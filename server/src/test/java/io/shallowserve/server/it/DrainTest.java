package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.proto.inference.ServerReadyRequest;
import io.shallowserve.runtime.data.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a SIGTERM starts with: readiness turns false everywhere while the server still answers requests. */
class DrainTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    @Test
    void drain_turnsReadinessFalseOnBothProtocolsWhileRequestsAreStillServed() {
        String model = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
        float[] image = FashionMnist.testImages(1);
        assertThat(SERVER.grpc().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();

        SERVER.server().drain();

        assertThat(SERVER.get("/v2/health/ready").statusCode()).isEqualTo(503);
        assertThat(SERVER.grpc().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isFalse();
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(SERVER.channel());
        for (String service : new String[] {"", GRPCInferenceServiceGrpc.SERVICE_NAME}) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .isEqualTo(ServingStatus.NOT_SERVING);
        }
        // Still alive, so that Kubernetes does not restart it, and still answering what load balancers send
        // until they notice.
        assertThat(SERVER.get("/v2/health/live").statusCode()).isEqualTo(200);
        assertThat(SERVER.grpc().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model, image)))).hasSize(10);
        HttpInferenceApiTest.json(SERVER.post("/v2/models/" + model + "/infer", Requests.json(image)), 200);
    }
}
