package io.shallowserve.loadtest.driver;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelStreamInferResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Inference over ModelStreamInfer: every request a thread sends goes on that thread's stream, opened on its first
 * send. This is what perf_analyzer {@code --streaming} does: each concurrent context has a client and a stream of its
 * own (in concurrency mode a worker thread per context, up to 16 by default). {@link LoadRunner}'s closed loop sends
 * from one virtual thread per caller, so each caller has its stream with one request on it at a time; its open loop
 * sends from one thread, so all of an open loop's requests share one stream, pipelined (perf_analyzer's request-rate
 * mode spreads them over its worker threads' streams instead).
 *
 * <p>The server answers a stream's requests one each, in the order they were sent, a failed one in the stream with
 * {@code error_message} set; so an answer completes the oldest request of its stream still unanswered, as Triton's
 * client matches its stream's answers to its requests. A stream that fails completes each of its unanswered requests
 * with the status; the thread's next request opens a new one.
 *
 * <p>Requests are written while the stream is ready (gRPC's flow control); beyond that they wait, in order, until it
 * is ready again, and their wait counts in their latency. grpc-java's request stream takes one writer at a time, so
 * every write to a stream holds its lock.
 *
 * <p>No deadline: a deadline on a stream bounds the whole call, not one request, and ModelStreamInfer has no deadline
 * per request; like perf_analyzer (stream timeout 0) the streams have none. A request that is never answered is
 * bounded by the run: {@link LoadRunner} stops waiting for it at the end of the run and counts it unanswered.
 *
 * <p>The streams of threads that have ended (a closed loop's callers end with each step) are half-closed when a new
 * thread first sends: the server answers what it still holds, then ends the call. {@link #close()} cancels every
 * stream and completes the requests still on them.
 */
final class GrpcStreamTransport implements Transport, AutoCloseable {

    /** The failure kind of a request on a stream that was closed with its target, and of any sent afterwards. */
    static final String CLOSED = "CANCELLED: stream closed with the target";

    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub;
    private final List<ModelInferRequest> prepared;
    /** Each sending thread's stream; changed only while holding {@code this}, read without. */
    private final Map<Thread, Stream> streams = new ConcurrentHashMap<>();
    /** Every stream not yet over, the half-closed ones too; guarded by {@code this}. */
    private final List<Stream> open = new ArrayList<>();
    private boolean closed;

    /** @param prepared the requests, sent in turn by sequence number */
    GrpcStreamTransport(GRPCInferenceServiceGrpc.GRPCInferenceServiceStub stub, List<ModelInferRequest> prepared) {
        this.stub = stub;
        this.prepared = prepared;
    }

    @Override
    public void send(long sequence, Completion done) {
        Stream stream = streams.get(Thread.currentThread());
        if (stream == null || stream.over()) {
            stream = openStream();
        }
        if (stream == null) {
            done.complete(CLOSED);
            return;
        }
        stream.send(prepared.get((int) (sequence % prepared.size())), done);
    }

    /**
     * Opens the calling thread's stream, and half-closes those of threads that have ended; null once closed.
     */
    private synchronized Stream openStream() {
        if (closed) {
            return null;
        }
        for (Iterator<Map.Entry<Thread, Stream>> it = streams.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Thread, Stream> entry = it.next();
            if (!entry.getKey().isAlive()) {
                entry.getValue().halfClose();
                it.remove();
            }
        }
        open.removeIf(Stream::over);
        Stream stream = new Stream();
        stub.modelStreamInfer(stream);
        streams.put(Thread.currentThread(), stream);
        open.add(stream);
        return stream;
    }

    /** Cancels every stream; each request still on one is completed as {@link #CLOSED}, and so is any sent later. */
    @Override
    public synchronized void close() {
        closed = true;
        open.forEach(Stream::cancel);
        open.clear();
        streams.clear();
    }

    /** One ModelStreamInfer call and the requests sent on it. */
    private static final class Stream
            implements ClientResponseObserver<ModelInferRequest, ModelStreamInferResponse> {

        /** Sent or waiting to be, not yet answered, oldest first; guarded by {@code this}, as is all below. */
        private final Deque<Completion> unanswered = new ArrayDeque<>();
        /** Requests waiting for the stream to be ready, oldest first. */
        private final Deque<ModelInferRequest> unwritten = new ArrayDeque<>();
        private ClientCallStreamObserver<ModelInferRequest> requests;
        /** Why the stream takes no more requests (it failed or was cancelled); null while it does. */
        private String over;
        /** Asked to half-close once every waiting request is written. */
        private boolean halfClosing;
        private boolean halfClosed;

        @Override
        public synchronized void beforeStart(ClientCallStreamObserver<ModelInferRequest> requestStream) {
            requests = requestStream;
            requests.setOnReadyHandler(this::write);
        }

        synchronized boolean over() {
            return over != null;
        }

        /** Queues {@code request} and its completion, and writes what the stream takes. */
        void send(ModelInferRequest request, Completion done) {
            String refused;
            synchronized (this) {
                refused = over;
                if (refused == null) {
                    unanswered.add(done);
                    unwritten.add(request);
                    write();
                }
            }
            if (refused != null) {
                done.complete(refused);
            }
        }

        /** Writes the waiting requests while the stream is ready; then half-closes, if asked to and none waits. */
        private synchronized void write() {
            if (over != null) {
                return;
            }
            while (!unwritten.isEmpty() && requests.isReady()) {
                requests.onNext(unwritten.poll());
            }
            if (halfClosing && !halfClosed && unwritten.isEmpty()) {
                halfClosed = true;
                requests.onCompleted();
            }
        }

        /** No more requests will come: the call ends once the server has answered those sent. */
        synchronized void halfClose() {
            halfClosing = true;
            write();
        }

        /** Ends the call now; its unanswered requests are completed as {@link #CLOSED}. */
        void cancel() {
            end(CLOSED);
            synchronized (this) {
                requests.cancel("target closed", null);
            }
        }

        @Override
        public void onNext(ModelStreamInferResponse answer) {
            Completion done;
            synchronized (this) {
                done = unanswered.poll();
            }
            // None is left only for an answer that comes after the stream was cancelled, which completed them all.
            if (done != null) {
                String error = answer.getErrorMessage();
                done.complete(error.isEmpty() ? null : GrpcTarget.bounded("stream error: " + error));
            }
        }

        @Override
        public void onError(Throwable error) {
            end(GrpcTarget.failure(error));
        }

        /** The server ended the call, which it does once every request is answered after the half-close. */
        @Override
        public void onCompleted() {
            end("stream ended by the server before the answer");
        }

        /** Takes no more requests, writes none, and completes each unanswered one as {@code reason}. */
        private void end(String reason) {
            List<Completion> dropped;
            synchronized (this) {
                if (over == null) {
                    over = reason;
                }
                unwritten.clear();
                dropped = List.copyOf(unanswered);
                unanswered.clear();
            }
            dropped.forEach(done -> done.complete(reason));
        }
    }
}
