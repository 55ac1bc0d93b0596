package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelStreamInferResponse;
import io.shallowserve.runtime.data.FashionMnist;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ModelStreamInfer over a real channel, as tritonclient.grpc's start_stream() and async_stream_infer() and
 * perf_analyzer's --streaming use it: one answer per request, in order, failures answered in the stream.
 */
@Timeout(120)
class GrpcStreamInferTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.newestVersions(RunningServer.MODELS).keySet().iterator().next();
    private static final int IMAGES = 4;

    @Test
    void modelStreamInfer_manyRequests_answeredInOrderEachAsModelInferAnswersIt() throws Exception {
        List<ModelInferRequest> requests = new ArrayList<>();
        for (int i = 0; i < 3 * 32; i++) {
            // Different images for each request, so that answers swapped between requests would show.
            float[] images = Arrays.copyOfRange(FashionMnist.testImages(IMAGES + i % 7), (i % 7) * FashionMnist.PIXELS,
                    (IMAGES + i % 7) * FashionMnist.PIXELS);
            requests.add(Requests.raw(MODEL, images).toBuilder().setId("r" + i).build());
        }

        Stream stream = Stream.open();
        requests.forEach(stream.requests::onNext);
        stream.requests.onCompleted();
        List<ModelStreamInferResponse> answers = stream.ended.get(60, TimeUnit.SECONDS);

        assertThat(answers).extracting(answer -> answer.getInferResponse().getId())
                .containsExactlyElementsOf(requests.stream().map(ModelInferRequest::getId).toList());
        for (int i = 0; i < requests.size(); i++) {
            ModelStreamInferResponse answer = answers.get(i);
            assertThat(answer.getErrorMessage()).isEmpty();
            assertThat(answer.getInferResponse().getParametersOrThrow("triton_final_response").getBoolParam())
                    .isTrue();
            assertThat(Requests.logits(answer.getInferResponse())).as(requests.get(i).getId())
                    .containsExactly(Requests.logits(SERVER.grpc().modelInfer(requests.get(i))));
        }
    }

    @Test
    void modelStreamInfer_failedRequests_answeredInTheStreamWhichGoesOn() throws Exception {
        float[] images = FashionMnist.testImages(IMAGES);
        ModelInferRequest good = Requests.raw(MODEL, images);

        Stream stream = Stream.open();
        stream.requests.onNext(good.toBuilder().setId("first").build());
        stream.requests.onNext(good.toBuilder().setModelName("no-such-model").setId("unknown").build());
        stream.requests.onNext(good.toBuilder().setInputs(0, Requests.input(IMAGES + 1)).setId("short").build());
        stream.requests.onNext(good.toBuilder().setId("last").build());
        stream.requests.onCompleted();
        List<ModelStreamInferResponse> answers = stream.ended.get(60, TimeUnit.SECONDS);

        assertThat(answers).extracting(answer -> answer.getInferResponse().getId())
                .containsExactly("first", "unknown", "short", "last");
        assertThat(answers.get(0).getErrorMessage()).isEmpty();
        assertThat(answers.get(1).getErrorMessage()).contains("no-such-model");
        assertThat(answers.get(1).getInferResponse().getModelName()).isEqualTo("no-such-model");
        assertThat(answers.get(2).getErrorMessage()).contains("input");
        assertThat(answers.get(2).getInferResponse().getOutputsCount()).isZero();
        assertThat(answers.get(3).getErrorMessage()).isEmpty();
        assertThat(Requests.logits(answers.get(3).getInferResponse())).hasSize(IMAGES * 10);
    }

    @Test
    void modelStreamInfer_cancelledByTheClient_serverServesOn() throws Exception {
        Stream stream = Stream.open();
        ModelInferRequest request = Requests.raw(MODEL, FashionMnist.testImages(IMAGES));
        for (int i = 0; i < 8; i++) {
            stream.requests.onNext(request);
        }
        stream.requests.cancel("the client gives up", null);

        assertThat(stream.ended).failsWithin(30, TimeUnit.SECONDS).withThrowableThat()
                .havingRootCause().satisfies(e -> assertThat(Status.fromThrowable(e).getCode())
                        .isEqualTo(Status.Code.CANCELLED));
        Stream next = Stream.open();
        next.requests.onNext(request);
        next.requests.onCompleted();
        assertThat(next.ended.get(30, TimeUnit.SECONDS)).singleElement()
                .satisfies(answer -> assertThat(answer.getErrorMessage()).isEmpty());
    }

    /** A client side of ModelStreamInfer: the requests to send, and every answer once the server ends the call. */
    private static final class Stream implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {

        final List<ModelStreamInferResponse> answers = new ArrayList<>();
        final CompletableFuture<List<ModelStreamInferResponse>> ended = new CompletableFuture<>();
        ClientCallStreamObserver<ModelInferRequest> requests;

        static Stream open() {
            Stream stream = new Stream();
            GRPCInferenceServiceGrpc.newStub(SERVER.channel()).modelStreamInfer(stream);
            return stream;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
            requests = requestStream;
        }

        @Override
        public synchronized void onNext(ModelStreamInferResponse answer) {
            answers.add(answer);
        }

        @Override
        public void onError(Throwable t) {
            ended.completeExceptionally(t);
        }

        @Override
        public synchronized void onCompleted() {
            ended.complete(List.copyOf(answers));
        }
    }
}
