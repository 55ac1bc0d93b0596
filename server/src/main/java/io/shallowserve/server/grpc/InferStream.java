package io.shallowserve.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelStreamInferResponse;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceResponse;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * One ModelStreamInfer call: every request the client streams runs as a ModelInfer would, and is answered on the
 * stream in the order the requests came, as Triton answers a model that is not decoupled. A request that fails is
 * answered in the stream, as Triton does: {@code error_message} says why and {@code infer_response} holds only the
 * request's id, model and version, so that the client knows which request it was; the stream goes on. Every answer
 * carries Triton's {@code triton_final_response: true}: each request has exactly one.
 *
 * <p>At most {@value #MAX_UNANSWERED} requests are read ahead of their answers, and answers are written only while
 * the transport can take them: a client that streams requests and never reads the answers is no longer read, instead
 * of filling the server's memory. When the client ends its side the call ends once every request is answered; when
 * it cancels, or the call ends otherwise, the requests not yet run are taken out of their queues.
 */
final class InferStream implements StreamObserver<ModelInferRequest> {

    /** Requests read and not yet answered, at most: enough to keep a model's batches full from one stream. */
    static final int MAX_UNANSWERED = 32;

    /** A request of the stream: its run in the engine, and the answer made from it once it ends. */
    private record Pending(CompletableFuture<InferenceResponse> inference,
            CompletableFuture<ModelStreamInferResponse> answer) {
    }

    private final ServerCallStreamObserver<ModelStreamInferResponse> answers;
    private final Function<ModelInferRequest, CompletableFuture<InferenceResponse>> submit;
    private final UnaryOperator<InferenceException> logged;
    /** In the order the requests came; guarded by {@code this}, as is everything written to {@link #answers}. */
    private final Deque<Pending> pending = new ArrayDeque<>();
    private boolean clientDone;
    private boolean ended;

    /**
     * @param submit runs a request as ModelInfer does, returning its inference
     * @param logged logs a failure that is the server's own, and returns it
     */
    InferStream(StreamObserver<ModelStreamInferResponse> answers,
            Function<ModelInferRequest, CompletableFuture<InferenceResponse>> submit,
            UnaryOperator<InferenceException> logged) {
        this.answers = (ServerCallStreamObserver<ModelStreamInferResponse>) answers;
        this.submit = submit;
        this.logged = logged;
        this.answers.disableAutoRequest();
        this.answers.setOnReadyHandler(this::writeAnswered);
        this.answers.setOnCancelHandler(this::end);
        this.answers.setOnCloseHandler(this::end);
        this.answers.request(MAX_UNANSWERED);
    }

    @Override
    public void onNext(ModelInferRequest request) {
        CompletableFuture<InferenceResponse> inference = submit.apply(request);
        CompletableFuture<ModelStreamInferResponse> answer = inference.handle((response, failure) ->
                failure == null ? answer(ProtoCodec.modelInferResponse(response)).build()
                        : failed(request, logged.apply(InferenceException.of(failure))));
        synchronized (this) {
            if (ended) {
                inference.cancel(false);
                return;
            }
            pending.add(new Pending(inference, answer));
        }
        answer.whenComplete((done, failure) -> writeAnswered());
    }

    @Override
    public void onError(Throwable t) {
        end();
    }

    @Override
    public synchronized void onCompleted() {
        clientDone = true;
        writeAnswered();
    }

    /**
     * Writes the answers at the head of the queue that are ready, while the transport takes them, reading one more
     * request for each; ends the call once the client is done and every request is answered.
     */
    private synchronized void writeAnswered() {
        while (!ended && !pending.isEmpty() && pending.peek().answer().isDone() && answers.isReady()) {
            answers.onNext(pending.poll().answer().join());
            answers.request(1);
        }
        if (!ended && clientDone && pending.isEmpty()) {
            ended = true;
            answers.onCompleted();
        }
    }

    /** The call is over (cancelled, failed or closed): nothing more is written, and nothing queued still runs. */
    private synchronized void end() {
        ended = true;
        pending.forEach(request -> request.inference().cancel(false));
        pending.clear();
    }

    private static ModelStreamInferResponse failed(ModelInferRequest request, InferenceException e) {
        return answer(ModelInferResponse.newBuilder().setModelName(request.getModelName())
                .setModelVersion(request.getModelVersion()).setId(request.getId()))
                .setErrorMessage(e.getMessage()).build();
    }

    private static ModelStreamInferResponse.Builder answer(ModelInferResponse.Builder response) {
        return ModelStreamInferResponse.newBuilder().setInferResponse(response.putParameters("triton_final_response",
                InferParameter.newBuilder().setBoolParam(true).build()));
    }
}
