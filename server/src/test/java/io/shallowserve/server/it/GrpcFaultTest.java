package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent;
import io.grpc.stub.ClientCalls;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.proto.inference.ServerLiveResponse;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.server.inference.ErrorMessages;
import io.shallowserve.server.it.Http2Frames.Literal;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The faults a fault run found in the server's former gRPC transport (Helidon 4.5.0; README.md, "Why gRPC is not on
 * Helidon"), each against the real server on loopback: C-core's literal-name pseudo-headers, an error message longer
 * than 4 KB, uploads aborted mid-message, cancelled calls on one connection, undecodable messages, plus unknown
 * methods and non-ASCII error messages. Raw HTTP/2 comes from {@link Http2Frames}, a client independent of
 * grpc-java; ordinary calls from grpc-java's client. Every test ends by checking that the server still serves; the
 * counts per fault are printed at the end. Connection-level faults are in {@link GrpcFaultConnectionTest}.
 */
@Timeout(120)
class GrpcFaultTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final String MODEL = OnnxReference.modelNames(RunningServer.MODELS).getFirst();
    private static final float[] IMAGE = FashionMnist.testImages(1);
    private static final String SERVER_LIVE = GRPCInferenceServiceGrpc.getServerLiveMethod().getFullMethodName();
    private static final String MODEL_INFER = GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName();
    private static final String MODEL_STREAM_INFER =
            GRPCInferenceServiceGrpc.getModelStreamInferMethod().getFullMethodName();
    private static final String MODEL_METADATA =
            GRPCInferenceServiceGrpc.getModelMetadataMethod().getFullMethodName();
    /** The longest grpc-message the tests accept for an echoed client string: a few hundred characters. */
    private static final int BOUNDED_MESSAGE_CHARS = ErrorMessages.MAX_CHARS;
    private static final Duration BOUNDED_WAIT = Duration.ofSeconds(30);
    private static final Map<String, String> SUMMARY = Collections.synchronizedMap(new LinkedHashMap<>());

    @AfterAll
    static void printSummary() {
        StringBuilder summary = new StringBuilder("gRPC fault suite, per fault:");
        SUMMARY.forEach((fault, counts) -> summary.append("\n  ").append(fault).append(": ").append(counts));
        System.out.println(summary);
    }

    /** gRPC C-core sends :path and :authority as literals with a literal name (RFC 7541 §6.2). */
    @Test
    void serverLive_pseudoHeadersAsLiteralsWithLiteralNames_answersLive() throws IOException {
        int port = SERVER.server().grpcPort();
        List<Literal> literals = List.of(Literal.WITHOUT_INDEXING, Literal.NEVER_INDEXED,
                Literal.WITH_INCREMENTAL_INDEXING,
                // The fields are in the server's dynamic table now: this call sends their indexes.
                Literal.WITH_INCREMENTAL_INDEXING);
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            int stream = 1;
            for (Literal literal : literals) {
                http2.headers(stream, Http2Frames.grpcRequest(SERVER_LIVE, port), literal, false);
                http2.data(stream, Http2Frames.grpcMessage(ServerLiveRequest.getDefaultInstance().toByteArray()),
                        true);
                Http2Frames.Response response = http2.awaitResponse(stream);

                assertThat(response.headers()).as(literal.name())
                        .containsEntry(":status", "200").containsEntry("content-type", "application/grpc");
                assertThat(response.grpcStatus()).as(literal.name()).isEqualTo("0");
                assertThat(ServerLiveResponse.parseFrom(response.message()).getLive()).as(literal.name()).isTrue();
                stream += 2;
            }
        }
        SUMMARY.put("literal-name pseudo-headers", literals.size() + " ServerLive calls on one connection "
                + literals + ", each grpc-status 0 and live");
    }

    @Test
    void modelMetadata_100KbModelName_isNotFoundWithABoundedMessage() {
        String name = "m".repeat(100 * 1024);

        assertBoundedNotFound(() -> grpc().modelMetadata(ModelMetadataRequest.newBuilder().setName(name).build()),
                "ModelMetadata");
        assertHealthy();
    }

    @Test
    void modelInfer_100KbModelName_isNotFoundWithABoundedMessage() {
        String name = "m".repeat(100 * 1024);

        assertBoundedNotFound(() -> grpc().modelInfer(Requests.raw(name, IMAGE)), "ModelInfer");
        assertHealthy();
    }

    /**
     * Each upload declares a 1 MiB message and sends 100 KiB of it, so that 1,000 leaked ones would hold 100 MiB.
     * Uploads go in batches of 10 on one connection; the gauge must count them open before they are aborted and
     * reach 0 after.
     */
    @Test
    void modelInfer_1000UploadsAbortedMidMessage_leaveNoOpenCallAndNoMemoryGrowth() throws IOException {
        int batches = 100;
        int uploadsPerBatch = 10;
        // Warm-up: the server's buffer pools and code paths exist before the memory is measured.
        abortUploads(uploadsPerBatch, true);
        abortUploads(uploadsPerBatch, false);
        long before = retainedMemory();

        Map<String, Integer> aborted = new LinkedHashMap<>(Map.of("RST_STREAM", 0, "socket close", 0));
        for (int batch = 0; batch < batches; batch++) {
            boolean reset = batch % 2 == 0;
            abortUploads(uploadsPerBatch, reset);
            aborted.merge(reset ? "RST_STREAM" : "socket close", uploadsPerBatch, Integer::sum);
        }
        awaitOpenCalls(open -> open == 0, "every aborted upload closed");
        long growth = retainedMemory() - before;

        SUMMARY.put("aborted uploads", batches * uploadsPerBatch + " " + aborted + ", open calls after: "
                + openCalls() + ", heap + direct memory growth after GC: " + growth / 1024 + " KiB");
        assertThat(growth).as("bytes retained after GC").isLessThan(50L * 1024 * 1024);
        assertStillServing();
    }

    /**
     * Half the calls are cancelled right after they start, by the client (RST_STREAM) or by a deadline shorter than
     * the call; none of that may touch the other half or the connection.
     */
    @Test
    void modelInfer_everyOtherOf5000CallsCancelledOnOneConnection_othersAllSucceedOnTheSameConnection()
            throws InterruptedException {
        int calls = 5000;
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", SERVER.server().grpcPort())
                .usePlaintext().build();
        try {
            ModelInferRequest request = Requests.raw(MODEL, IMAGE);
            GRPCInferenceServiceGrpc.newBlockingStub(channel).modelInfer(request);
            // The channel leaves READY only if its one connection goes (GOAWAY, reset, close).
            AtomicBoolean connectionLost = new AtomicBoolean();
            channel.notifyWhenStateChanged(ConnectivityState.READY, () -> connectionLost.set(true));
            Map<Status.Code, AtomicInteger> uncancelled = Collections.synchronizedMap(new EnumMap<>(Status.Code.class));
            Map<Status.Code, AtomicInteger> cancelled = Collections.synchronizedMap(new EnumMap<>(Status.Code.class));
            // Few enough that the calls queued on the server, the cancelled ones included until the server reads
            // their cancellation, stay below the engine's queue limit (64): the test is not about a full queue.
            Semaphore inFlight = new Semaphore(16);
            CountDownLatch closed = new CountDownLatch(calls);

            for (int i = 0; i < calls; i++) {
                if (!inFlight.tryAcquire(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    fail("16 calls did not close within " + BOUNDED_WAIT);
                }
                boolean cancel = i % 2 == 1;
                boolean byDeadline = i % 4 == 3;
                CallOptions options = byDeadline ? CallOptions.DEFAULT.withDeadlineAfter(200, TimeUnit.MICROSECONDS)
                        : CallOptions.DEFAULT;
                Map<Status.Code, AtomicInteger> outcomes = cancel ? cancelled : uncancelled;
                ClientCall<ModelInferRequest, ModelInferResponse> call =
                        channel.newCall(GRPCInferenceServiceGrpc.getModelInferMethod(), options);
                call.start(new ClientCall.Listener<>() {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        outcomes.computeIfAbsent(status.getCode(), code -> new AtomicInteger()).incrementAndGet();
                        inFlight.release();
                        closed.countDown();
                    }
                }, new Metadata());
                call.request(1);
                call.sendMessage(request);
                call.halfClose();
                if (cancel && !byDeadline) {
                    call.cancel("the test cancels every other call", null);
                }
            }
            assertThat(closed.await(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS)).as("every call closed").isTrue();

            SUMMARY.put("cancels on one connection", calls + " calls: uncancelled " + uncancelled
                    + ", cancelled (half by the client, half by a 200 µs deadline) " + cancelled
                    + ", connection lost: " + connectionLost.get());
            assertThat(uncancelled).as("outcomes of the calls not cancelled").containsOnlyKeys(Status.Code.OK);
            assertThat(uncancelled.get(Status.Code.OK)).hasValue(calls / 2);
            assertThat(cancelled.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(calls / 2);
            assertThat(Requests.logits(GRPCInferenceServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS).modelInfer(request))).hasSize(10);
            assertThat(connectionLost).as("the channel's connection went away").isFalse();
            awaitOpenCalls(open -> open == 0, "every call closed on the server");
        } finally {
            channel.shutdownNow();
        }
    }

    /** Messages grpc-java cannot decode, sent on a ModelInfer stream as raw DATA. */
    enum UndecodableMessage {
        NOT_A_GRPC_FRAME("this is not a gRPC message at all".getBytes(StandardCharsets.US_ASCII), true),
        NOT_PROTOBUF(Http2Frames.grpcMessage(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}), true),
        TRUNCATED(concat(Http2Frames.grpcPrefix(false, 1000), new byte[100]), true),
        /** model_name (field 1, a proto3 string) holding C3 28, which is not UTF-8. */
        INVALID_UTF8_STRING(Http2Frames.grpcMessage(new byte[] {0x0a, 0x02, (byte) 0xc3, 0x28}), true),
        COMPRESSED_WITHOUT_GRPC_ENCODING(concat(Http2Frames.grpcPrefix(true, 4),
                new byte[] {0x0a, 0x02, 0x61, 0x62}), true),
        /** The stream stays open: the server must answer from the prefix alone. */
        LENGTH_PREFIX_2_GB(concat(Http2Frames.grpcPrefix(false, 1L << 31), new byte[16 * 1024]), false),
        /** The first 16 KiB of a 64 MiB message; the server must answer from the prefix alone. */
        MESSAGE_64_MB(concat(Http2Frames.grpcPrefix(false, 64L << 20), new byte[16 * 1024]), false);

        private final byte[] data;
        private final boolean endStream;

        UndecodableMessage(byte[] data, boolean endStream) {
            this.data = data;
            this.endStream = endStream;
        }
    }

    @ParameterizedTest
    @EnumSource(UndecodableMessage.class)
    void modelInfer_undecodableMessage_getsAStatusAndAtMostOneLogLine(UndecodableMessage message)
            throws IOException {
        int port = SERVER.server().grpcPort();
        Http2Frames.Response response;
        List<String> logged;
        try (LogCapture log = new LogCapture(); Http2Frames http2 = Http2Frames.connect(port)) {
            http2.headers(1, Http2Frames.grpcRequest(MODEL_INFER, port), Literal.WITHOUT_INDEXING, false);
            http2.data(1, message.data, message.endStream);
            response = http2.awaitResponse(1);
            // The call's end comes after whatever the server logs about it.
            awaitOpenCalls(open -> open == 0, "the call closed");
            logged = log.lines();
        }

        SUMMARY.put("undecodable " + message, "grpc-status " + response.grpcStatus() + " (" + response.grpcMessage()
                + "), RST_STREAM " + response.resetCode() + ", log lines " + logged.size() + " " + logged);
        assertThat(response.grpcStatus()).as("grpc-status; the stream ended with RST_STREAM %d, GOAWAY %d",
                response.resetCode(), response.goAwayCode()).isNotNull().isNotEqualTo("0");
        assertThat(response.grpcMessage()).as("grpc-message").isNotBlank();
        assertThat(logged).as("log lines").hasSizeLessThanOrEqualTo(1);
        assertStillServing();
    }

    /**
     * A stream whose second message does not decode: the call ends with INVALID_ARGUMENT, whatever the first
     * request was doing, and nothing of it stays open.
     */
    @Test
    void modelStreamInfer_goodThenUndecodableMessage_endsTheCallWithAStatus() throws IOException {
        int port = SERVER.server().grpcPort();
        Http2Frames.Response response;
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            http2.headers(1, Http2Frames.grpcRequest(MODEL_STREAM_INFER, port), Literal.WITHOUT_INDEXING, false);
            http2.data(1, Http2Frames.grpcMessage(Requests.raw(MODEL, IMAGE).toByteArray()), false);
            http2.data(1, UndecodableMessage.NOT_PROTOBUF.data, true);
            response = http2.awaitResponse(1);
        }
        awaitOpenCalls(open -> open == 0, "the stream closed");

        SUMMARY.put("stream with an undecodable message", "grpc-status " + response.grpcStatus() + " ("
                + response.grpcMessage() + ")");
        assertThat(response.grpcStatus()).isEqualTo(Integer.toString(Status.Code.INVALID_ARGUMENT.value()));
        assertThat(response.grpcMessage()).contains("not valid protobuf");
        assertStillServing();
    }

    /** Streams reset by the client with requests in them, 20 times: none stays open, the server serves on. */
    @Test
    void modelStreamInfer_resetWithRequestsInIt_leavesNoOpenCall() throws IOException {
        int port = SERVER.server().grpcPort();
        byte[] request = Http2Frames.grpcMessage(Requests.raw(MODEL, IMAGE).toByteArray());
        int streams = 20;
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            for (int i = 0; i < streams; i++) {
                int stream = 1 + 2 * i;
                http2.headers(stream, Http2Frames.grpcRequest(MODEL_STREAM_INFER, port),
                        Literal.WITH_INCREMENTAL_INDEXING, false);
                for (int message = 0; message < 4; message++) {
                    http2.data(stream, request, false);
                }
                http2.rstStream(stream, Http2Frames.CANCEL);
            }
            http2.ping();
            awaitOpenCalls(open -> open == 0, "every reset stream closed");
        }

        SUMMARY.put("streams reset", streams + " with 4 requests each, open calls after: " + openCalls());
        assertStillServing();
    }

    /**
     * 16 MB of values that each become an object once parsed. Refused before parsing, such a message costs its 16 MB.
     */
    enum ManyValues {
        /** Empty tensors, two bytes each on the wire: held about 470 MB once parsed. */
        EMPTY_TENSORS(new byte[0], new byte[] {(5 << 3) | 2, 0}, new byte[0]),
        /**
         * One group (wire type 3) of field 99, which the request type does not have, holding groups of field 1 that
         * each hold a varint of 300, all kept as unknown fields: 3.2 million such groups ran a server with a 512 MB
         * heap (the Kubernetes deployment's) out of memory while the bound counted the outer group as one value.
         */
        GROUPS_IN_AN_UNKNOWN_GROUP(new byte[] {(byte) 0x9b, 0x06}, new byte[] {(1 << 3) | 3, 1 << 3, (byte) 0xac,
            0x02, (1 << 3) | 4}, new byte[] {(byte) 0x9c, 0x06}),
        /** model_name (field 1, a string) as varints of 300 (wire type 0): unknown fields too, three bytes each. */
        STRING_FIELD_AS_VARINTS(new byte[0], new byte[] {1 << 3, (byte) 0xac, 0x02}, new byte[0]);

        private final byte[] first;
        private final byte[] value;
        private final byte[] last;

        ManyValues(byte[] first, byte[] value, byte[] last) {
            this.first = first;
            this.value = value;
            this.last = last;
        }

        /** As many values as fit in just under 16 MB, between first and last. */
        byte[] message() {
            int values = (16 * 1024 * 1024 - 64 - first.length - last.length) / value.length;
            ByteBuffer message = ByteBuffer.allocate(first.length + values * value.length + last.length).put(first);
            for (int i = 0; i < values; i++) {
                message.put(value);
            }
            return message.put(last).array();
        }
    }

    @ParameterizedTest
    @EnumSource(ManyValues.class)
    void modelInfer_16MbOfValues_isRefusedBeforeItIsParsed(ManyValues values) throws IOException {
        int port = SERVER.server().grpcPort();
        Http2Frames.Response response;
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            http2.headers(1, Http2Frames.grpcRequest(MODEL_INFER, port), Literal.WITHOUT_INDEXING, false);
            http2.data(1, Http2Frames.grpcMessage(values.message()), true);
            response = http2.awaitResponse(1);
        }
        awaitOpenCalls(open -> open == 0, "the call closed");

        SUMMARY.put("16 MB of " + values, "grpc-status " + response.grpcStatus() + " (" + response.grpcMessage()
                + ")");
        assertThat(response.grpcStatus()).isEqualTo(Integer.toString(Status.Code.RESOURCE_EXHAUSTED.value()));
        assertThat(response.grpcMessage()).contains("more than 250000 values");
        assertStillServing();
    }

    @Test
    void unknownMethod_isUnimplemented() {
        for (String name : List.of("inference.GRPCInferenceService/NoSuchMethod", "no.such.Service/ServerLive")) {
            MethodDescriptor<ServerLiveRequest, ServerLiveResponse> method =
                    GRPCInferenceServiceGrpc.getServerLiveMethod().toBuilder().setFullMethodName(name).build();

            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(SERVER.channel(), method,
                    CallOptions.DEFAULT.withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS),
                    ServerLiveRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).as(name).isEqualTo(Status.Code.UNIMPLEMENTED);
                        assertThat(e.getStatus().getDescription()).contains(name);
                    });
        }
        SUMMARY.put("unknown method", "2 calls (unknown method, unknown service), each UNIMPLEMENTED");
        assertStillServing();
    }

    /**
     * grpc-message travels percent-encoded (printable ASCII on the wire); grpc-java's client decodes it back to
     * the server's text, NUL and all.
     */
    @Test
    void modelMetadata_nonAsciiAndNulInModelName_messageArrivesWithTheNameReadable() throws IOException {
        String name = "modèle-\u0000-名前-\uD83D\uDE42-%41";
        // A message for a client is one line: control characters, NUL among them, become spaces.
        String shown = "'modèle- -名前-\uD83D\uDE42-%41'";

        assertThatThrownBy(() -> grpc().modelMetadata(ModelMetadataRequest.newBuilder().setName(name).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains(shown);
                });

        int port = SERVER.server().grpcPort();
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            http2.headers(1, Http2Frames.grpcRequest(MODEL_METADATA, port), Literal.WITHOUT_INDEXING, false);
            http2.data(1, Http2Frames.grpcMessage(ModelMetadataRequest.newBuilder().setName(name).build()
                    .toByteArray()), true);
            String onTheWire = http2.awaitResponse(1).grpcMessage();

            assertThat(onTheWire.chars()).as(onTheWire).allMatch(c -> c >= 0x20 && c <= 0x7e);
            assertThat(percentDecoded(onTheWire)).contains(shown);
        }
        SUMMARY.put("non-ASCII and NUL in grpc-message", "arrived intact through grpc-java and on the wire");
        assertStillServing();
    }

    private static void assertBoundedNotFound(Runnable call, String method) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            String message = e.getStatus().getDescription();
            SUMMARY.put("100 KB model name, " + method, e.getStatus().getCode() + " with a grpc-message of "
                    + (message == null ? "none" : message.length() + " characters") + ", then healthy");
            assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(message).startsWith("unknown model 'mmmm").hasSizeLessThanOrEqualTo(BOUNDED_MESSAGE_CHARS);
        });
    }

    /** grpc.health.v1 and ServerLive answer. */
    private static void assertHealthy() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(SERVER.channel())
                .withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(ServingStatus.SERVING);
        assertThat(grpc().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    /** A normal ModelInfer is answered. */
    private static void assertStillServing() {
        assertThat(Requests.logits(grpc().modelInfer(Requests.raw(MODEL, IMAGE)))).hasSize(10);
    }

    private static GRPCInferenceServiceBlockingStub grpc() {
        return SERVER.grpc().withDeadlineAfter(BOUNDED_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Starts {@code uploads} ModelInfer uploads on one connection, each 100 KiB into a 1 MiB message, waits until
     * the server counts them open, then aborts them all: RST_STREAM CANCEL each (and a PING, so that the server
     * read the resets while the connection was up), or closing the socket.
     */
    private static void abortUploads(int uploads, boolean reset) throws IOException {
        awaitOpenCalls(open -> open == 0, "the previous uploads closed");
        int port = SERVER.server().grpcPort();
        byte[] partialMessage = concat(Http2Frames.grpcPrefix(false, 1 << 20), new byte[100 * 1024]);
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            for (int i = 0; i < uploads; i++) {
                http2.headers(1 + 2 * i, Http2Frames.grpcRequest(MODEL_INFER, port),
                        Literal.WITH_INCREMENTAL_INDEXING, false);
                http2.data(1 + 2 * i, partialMessage, false);
            }
            awaitOpenCalls(open -> open == uploads, uploads + " uploads open");
            if (reset) {
                for (int i = 0; i < uploads; i++) {
                    http2.rstStream(1 + 2 * i, Http2Frames.CANCEL);
                }
                http2.ping();
            }
        }
    }

    /** The gauge shallowserve.grpc.open.calls, as /metrics exports it. */
    private static int openCalls() {
        String metrics = SERVER.get("/metrics").body();
        return metrics.lines()
                .filter(line -> line.startsWith("shallowserve_grpc_open_calls "))
                .mapToInt(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("/metrics has no shallowserve_grpc_open_calls"));
    }

    /** Polls the open-calls gauge until {@code condition} holds, for at most {@link #BOUNDED_WAIT}. */
    private static void awaitOpenCalls(IntPredicate condition, String what) {
        long deadline = System.nanoTime() + BOUNDED_WAIT.toNanos();
        int open;
        while (!condition.test(open = openCalls())) {
            if (System.nanoTime() > deadline) {
                fail("waited " + BOUNDED_WAIT + " for: " + what + "; the server has " + open + " open gRPC calls");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Heap, the JDK's direct buffers and Netty's direct memory in use after a full GC (the server runs in this JVM).
     * grpc-java's Netty keeps what it reads from sockets, so a stream's unfinished message, in direct memory that
     * only its own counter sees (on JDK 25 the JDK's direct buffer pool shows none of it).
     */
    private static long retainedMemory() {
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        long netty = PlatformDependent.usedDirectMemory();
        assertThat(netty).as("Netty's count of its direct memory (-1: not counted)").isNotNegative();
        return heap + direct + netty;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
    }

    /** grpc-message's percent-encoding: %XX is a UTF-8 byte; every other character is itself ('+' too). */
    private static String percentDecoded(String value) {
        return URLDecoder.decode(value.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
