package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.StatusRuntimeException;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.runtime.data.FashionMnist;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A SIGTERM's shutdown with a drain delay: not ready, still serving for the delay, then gone. */
@Timeout(60)
class ShutdownTest {

    /** Long enough that the test's few requests land inside it on a slow machine too. */
    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single",
            "--set", "shallowserve.shutdown.drain-delay=PT3S");

    @Test
    void shutdown_withDrainDelay_servesWhileNotReadyThenStops() throws Exception {
        String model = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
        float[] image = FashionMnist.testImages(1);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(SERVER.server()::shutdown);
        // Bounded by the test's timeout.
        while (SERVER.get("/v2/health/ready").statusCode() != 503) {
            Thread.onSpinWait();
        }

        assertThat(shutdown).isNotDone();
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model, image)))).hasSize(10);
        shutdown.get();
        assertThatThrownBy(() -> SERVER.grpc().serverLive(ServerLiveRequest.getDefaultInstance()))
                .isInstanceOf(StatusRuntimeException.class);
    }
}
