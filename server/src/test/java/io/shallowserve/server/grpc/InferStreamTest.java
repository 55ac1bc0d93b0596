package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.ServerCallStreamObserver;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelStreamInferResponse;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link InferStream}'s order, in-stream failures, flow control and ending, on a call whose transport readiness the
 * test sets and an engine whose inferences the test completes, one at a time, on its own thread.
 */
class InferStreamTest {

    private final RecordingCall call = new RecordingCall();
    private final List<CompletableFuture<InferenceResponse>> inferences = new ArrayList<>();
    private final InferStream stream = new InferStream(call, request -> {
        CompletableFuture<InferenceResponse> inference = new CompletableFuture<>();
        inferences.add(inference);
        return inference;
    }, e -> e);

    @Test
    void answers_completedOutOfOrder_areWrittenInTheOrderTheRequestsCame() {
        stream.onNext(request("a"));
        stream.onNext(request("b"));
        stream.onNext(request("c"));

        inferences.get(2).complete(response("c"));
        inferences.get(1).complete(response("b"));
        assertThat(call.written).isEmpty();
        inferences.get(0).complete(response("a"));

        assertThat(call.written).extracting(answer -> answer.getInferResponse().getId()).containsExactly("a", "b", "c");
        assertThat(call.written).allSatisfy(answer -> {
            assertThat(answer.getErrorMessage()).isEmpty();
            assertThat(answer.getInferResponse().getParametersOrThrow("triton_final_response").getBoolParam())
                    .isTrue();
        });
    }

    @Test
    void failedRequest_isAnsweredInTheStreamWithItsIdAndTheStreamGoesOn() {
        stream.onNext(request("bad"));
        stream.onNext(request("good"));

        inferences.get(0).completeExceptionally(InferenceException.invalid("input 'input' has 3 values"));
        inferences.get(1).complete(response("good"));

        assertThat(call.written).hasSize(2);
        ModelStreamInferResponse failed = call.written.getFirst();
        assertThat(failed.getErrorMessage()).isEqualTo("input 'input' has 3 values");
        assertThat(failed.getInferResponse().getId()).isEqualTo("bad");
        assertThat(failed.getInferResponse().getModelName()).isEqualTo("m");
        assertThat(failed.getInferResponse().getOutputsCount()).isZero();
        assertThat(call.written.get(1).getErrorMessage()).isEmpty();
        assertThat(call.completed).isFalse();
    }

    @Test
    void reading_isAheadOfTheAnswersByTheLimitOnly() {
        assertThat(call.requested).isEqualTo(InferStream.MAX_UNANSWERED);
        for (int i = 0; i < InferStream.MAX_UNANSWERED; i++) {
            stream.onNext(request("r" + i));
        }

        inferences.getFirst().complete(response("r0"));

        // One answer written, one more request read.
        assertThat(call.requested).isEqualTo(InferStream.MAX_UNANSWERED + 1);
    }

    @Test
    void transportNotReady_holdsTheAnswersAndTheReadingUntilItIs() {
        stream.onNext(request("a"));
        stream.onNext(request("b"));
        call.ready = false;

        inferences.get(0).complete(response("a"));
        inferences.get(1).complete(response("b"));
        assertThat(call.written).isEmpty();
        assertThat(call.requested).isEqualTo(InferStream.MAX_UNANSWERED);

        call.ready = true;
        call.onReady.run();

        assertThat(call.written).hasSize(2);
        assertThat(call.requested).isEqualTo(InferStream.MAX_UNANSWERED + 2);
    }

    @Test
    void clientDone_endsTheCallOnceEveryRequestIsAnswered() {
        stream.onNext(request("a"));
        stream.onCompleted();
        assertThat(call.completed).isFalse();

        inferences.getFirst().complete(response("a"));

        assertThat(call.written).hasSize(1);
        assertThat(call.completed).isTrue();
    }

    @Test
    void cancelled_cancelsTheInferencesNotAnsweredAndWritesNothingMore() {
        stream.onNext(request("a"));
        stream.onNext(request("b"));

        call.onCancel.run();
        inferences.get(1).complete(response("b"));

        assertThat(inferences.getFirst()).isCancelled();
        assertThat(call.written).isEmpty();
        stream.onCompleted();
        assertThat(call.completed).isFalse();
    }

    private static ModelInferRequest request(String id) {
        return ModelInferRequest.newBuilder().setModelName("m").setModelVersion("1").setId(id).build();
    }

    private static InferenceResponse response(String id) {
        return new InferenceResponse("m", "1", id, List.of());
    }

    /** A server call that records what is written and requested, with the transport's readiness set by the test. */
    private static final class RecordingCall extends ServerCallStreamObserver<ModelStreamInferResponse> {

        final List<ModelStreamInferResponse> written = new ArrayList<>();
        int requested;
        boolean ready = true;
        boolean completed;
        Runnable onReady;
        Runnable onCancel;

        @Override
        public void onNext(ModelStreamInferResponse value) {
            written.add(value);
        }

        @Override
        public void onError(Throwable t) {
            throw new AssertionError("the stream answers failures in the stream", t);
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        @Override
        public boolean isReady() {
            return ready;
        }

        @Override
        public void setOnReadyHandler(Runnable handler) {
            onReady = handler;
        }

        @Override
        public void setOnCancelHandler(Runnable handler) {
            onCancel = handler;
        }

        @Override
        public void setOnCloseHandler(Runnable handler) {
        }

        @Override
        public void disableAutoRequest() {
        }

        @Override
        public void disableAutoInboundFlowControl() {
        }

        @Override
        public void request(int count) {
            requested += count;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }
    }
}
