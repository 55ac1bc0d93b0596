package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.server.it.Http2Frames.Literal;
import io.shallowserve.server.it.RawHttp.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed bodies and messages against the real server, on real Fashion-MNIST test images: gzip and deflate
 * request bodies as tritonclient.http sends them and responses compressed as its Accept-Encoding asks, gzip both ways
 * over gRPC from grpc-java's client and as raw HTTP/2 frames, and decompression bombs on both protocols, each refused
 * within the message limit while the server serves on.
 */
@Timeout(180)
class CompressionTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final Map<String, Path> MODELS = OnnxReference.newestVersions(RunningServer.MODELS);
    private static final String MODEL = MODELS.keySet().iterator().next();
    private static final int BATCH = 8;
    private static final float[] IMAGES = FashionMnist.testImages(BATCH);
    private static final float[] EXPECTED = OnnxReference.logits(MODELS.get(MODEL), IMAGES, BATCH);
    /** shallowserve.limits.message-bytes in application.yaml: the body and message limit, compressed or not. */
    private static final long LIMIT = 16 * 1024 * 1024;
    /** A bomb: 1 GiB of zeros, about 1 MB compressed. */
    private static final long BOMB_ZEROS = 1L << 30;
    private static final Duration CLOSE_LIMIT = Duration.ofSeconds(10);
    private static final String MODEL_INFER = GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName();

    /**
     * tritonclient.http's {@code infer(model, inputs, outputs, request_compression_algorithm=coding,
     * response_compression_algorithm=coding)} with {@code set_data_from_numpy(images, binary_data=False)} and
     * {@code InferRequestedOutput("logits", binary_data=False)}, byte for byte, twice on one connection; the answer
     * decoded as tritonclient's InferResult does it (gzip.decompress, zlib.decompress).
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void compressedInferBody_asTritonclientSendsIt_getsTheReferenceLogitsCompressed(String coding) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            for (int request = 0; request < 2; request++) {
                Response response = connection.send(tritonclientInfer(MODEL, coding)).read();

                assertThat(response.status()).as(response.body()).isEqualTo(200);
                assertThat(response.header("Content-Encoding")).isEqualTo(coding);
                assertThat(response.header("Vary")).isEqualTo("Accept-Encoding");
                String json = new String(CompressedBodies.decoded(response.bytes(), coding), StandardCharsets.UTF_8);
                assertThat(response.bytes().length).as("compressed length").isLessThan(json.length());
                assertThat(Logits.maxDifference(EXPECTED, Requests.logits(json))).isLessThanOrEqualTo(1e-5f);
            }
        }
    }

    /**
     * An error is answered uncompressed whatever the request accepts, as Triton does: tritonclient.http reads an
     * error's body as UTF-8 JSON without looking at its Content-Encoding (_utils.py, _get_error).
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void error_isAnsweredUncompressed(String coding) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send(tritonclientInfer("no-such-model", coding)).read();

            MalformedHttpRequestsTest.assertError(response, 404, "no-such-model");
            assertThat(response.header("Content-Encoding")).isNull();
        }
    }

    /** Prometheus scrapes with Accept-Encoding: gzip (scrape.go); the exposition comes back gzipped. */
    @Test
    void metrics_scrapedAsPrometheusDoes_isGzipped() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(SERVER.uri("/metrics"))
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
            assertThat(new String(CompressedBodies.decoded(response.body(), "gzip"), StandardCharsets.UTF_8))
                    .contains("# TYPE shallowserve_");
        }
    }

    /**
     * The answer's coding follows the request's Accept-Encoding and its q-values (every case is in
     * HttpCompressionTest); the body is the same JSON in each.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"gzip | gzip", "deflate | deflate", "gzip;q=0.5, deflate;q=0.8 | deflate",
            "gzip;q=0, deflate;q=0 | identity", "br | identity"})
    void response_isCompressedAsAcceptEncodingPrefers(String acceptEncoding, String coding) {
        String path = "/v2/models/" + MODEL;
        String plain = SERVER.get(path).body();
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: "
                    + acceptEncoding + "\r\n\r\n").read();

            assertThat(response.status()).isEqualTo(200);
            if (coding.equals("identity")) {
                assertThat(response.header("Content-Encoding")).isNull();
                assertThat(response.body()).isEqualTo(plain);
            } else {
                assertThat(response.header("Content-Encoding")).isEqualTo(coding);
                assertThat(new String(CompressedBodies.decoded(response.bytes(), coding), StandardCharsets.UTF_8))
                        .isEqualTo(plain);
            }
        }
    }

    /**
     * A body that decompresses to exactly the limit is read whole (and then fails to parse, being zeros); one byte
     * more is refused with 413 as it is read.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void decompressedSize_isHeldToTheLimit(String coding) {
        byte[] prefix = "{\"inputs\":".getBytes(StandardCharsets.US_ASCII);
        Response atTheLimit = post(coding, bomb(coding, prefix, LIMIT - prefix.length));
        assertThat(atTheLimit.status()).as(atTheLimit.body()).isEqualTo(400);

        Response pastTheLimit = post(coding, bomb(coding, prefix, LIMIT - prefix.length + 1));
        MalformedHttpRequestsTest.assertError(pastTheLimit, 413, "the request body, decompressed (Content-Encoding: "
                + coding + "), is larger than the limit of " + LIMIT + " bytes");
    }

    /**
     * 1 GiB of zeros in about 1 MB: the server stops inflating at the limit, answers 413 and closes the connection
     * (the rest of the body is never read), and serves the next request.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate"})
    void decompressionBomb_is413AndClosesAndTheServerServesOn(String coding) {
        byte[] body = bomb(coding, "{\"inputs\":".getBytes(StandardCharsets.US_ASCII), BOMB_ZEROS);
        assertThat(body.length).as("compressed size").isLessThan(2 * 1024 * 1024);
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send(request("POST /v2/models/" + MODEL + "/infer", coding, body)).read();

            MalformedHttpRequestsTest.assertError(response, 413, "decompressed (Content-Encoding: " + coding
                    + "), is larger than the limit of " + LIMIT + " bytes");
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(connection.closedByServer(CLOSE_LIMIT)).as("connection closed after the 413").isTrue();
        }
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            Response response = connection.send(tritonclientInfer(MODEL, coding)).read();
            assertThat(response.status()).isEqualTo(200);
        }
    }

    /**
     * grpc-java's client with gzip call compression: the reference logits, and a response compressed in gzip too;
     * without it, an uncompressed response although the client accepts gzip.
     */
    @Test
    void grpcJavaClient_gzipRequest_getsTheReferenceLogitsInAGzipResponse() {
        AtomicReference<String> responseEncoding = new AtomicReference<>();
        GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(SERVER.channel(), new ResponseEncoding(responseEncoding)));

        ModelInferResponse compressed = stub.withCompression("gzip").modelInfer(Requests.raw(MODEL, IMAGES));
        assertThat(responseEncoding.get()).isEqualTo("gzip");
        assertThat(Logits.maxDifference(EXPECTED, Requests.logits(compressed))).isLessThanOrEqualTo(1e-5f);

        ModelInferResponse plain = stub.modelInfer(Requests.raw(MODEL, IMAGES));
        assertThat(responseEncoding.get()).isIn(null, "identity");
        assertThat(Requests.logits(plain)).containsExactly(Requests.logits(compressed));
    }

    /**
     * grpc-java's client sends a gzip request of 17 MiB that compresses to about 17 KB: RESOURCE_EXHAUSTED, as its
     * decompressed size passes the limit, and the channel serves the next call.
     */
    @Test
    void grpcJavaClient_gzipRequestOverTheLimitDecompressed_isResourceExhausted() {
        ModelInferRequest tooLarge = Requests.raw(MODEL, IMAGES).toBuilder()
                .setRawInputContents(0, ByteString.copyFrom(new byte[(int) LIMIT + 1024 * 1024]))
                .build();

        assertThatThrownBy(() -> SERVER.grpc().withCompression("gzip").modelInfer(tooLarge))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getStatus().getDescription())
                            .contains("Decompressed gRPC message exceeds maximum size " + LIMIT);
                });
        ModelInferResponse next = SERVER.grpc().withCompression("gzip").modelInfer(Requests.raw(MODEL, IMAGES));
        assertThat(Logits.maxDifference(EXPECTED, Requests.logits(next))).isLessThanOrEqualTo(1e-5f);
    }

    /**
     * On raw HTTP/2 frames: a gzip message of 1 GiB of zeros (about 1 MB on the wire) ends its call with
     * RESOURCE_EXHAUSTED; then on the same connection a gzip request gets a response whose message is compressed
     * (flag 1, grpc-encoding gzip) and decodes to the reference logits.
     */
    @Test
    void gzipBombMessage_isResourceExhaustedAndTheConnectionServesOnCompressed() throws IOException {
        int port = SERVER.server().grpcPort();
        List<Http2Frames.Header> headers = new ArrayList<>(Http2Frames.grpcRequest(MODEL_INFER, port));
        headers.add(new Http2Frames.Header("grpc-encoding", "gzip"));
        headers.add(new Http2Frames.Header("grpc-accept-encoding", "gzip"));
        try (Http2Frames http2 = Http2Frames.connect(port)) {
            byte[] bomb = CompressedBodies.gzipBomb(rawInputPrefix(BOMB_ZEROS), BOMB_ZEROS);
            http2.headers(1, headers, Literal.WITHOUT_INDEXING, false);
            http2.data(1, concat(Http2Frames.grpcPrefix(true, bomb.length), bomb), true);
            Http2Frames.Response refused = http2.awaitResponse(1);

            assertThat(refused.grpcStatus()).as(refused.grpcMessage())
                    .isEqualTo(Integer.toString(Status.Code.RESOURCE_EXHAUSTED.value()));
            assertThat(refused.grpcMessage()).contains("Decompressed gRPC message exceeds maximum size " + LIMIT);

            byte[] request = CompressedBodies.gzip(Requests.raw(MODEL, IMAGES).toByteArray(), 0);
            http2.headers(3, headers, Literal.WITHOUT_INDEXING, false);
            http2.data(3, concat(Http2Frames.grpcPrefix(true, request.length), request), true);
            Http2Frames.Response answered = http2.awaitResponse(3);

            assertThat(answered.grpcStatus()).as(answered.grpcMessage()).isEqualTo("0");
            assertThat(answered.headers()).containsEntry("grpc-encoding", "gzip");
            assertThat(answered.data()[0]).as("the message's compressed flag").isEqualTo((byte) 1);
            ModelInferResponse response = ModelInferResponse.parseFrom(
                    CompressedBodies.decoded(answered.message(), "gzip"));
            assertThat(Logits.maxDifference(EXPECTED, Requests.logits(response))).isLessThanOrEqualTo(1e-5f);
        }
    }

    /**
     * The request tritonclient.http sends (src/python/library/tritonclient/http/_client.py and _utils.py at
     * github.com/triton-inference-server/client commit 3105ec25): JSON of json.dumps (", " and ": " separators) with
     * the inputs' "data" and the outputs' parameters, compressed with Python's gzip.compress or zlib.compress; headers
     * as geventhttpclient 2.3.3 writes them (src/geventhttpclient/client.py, HTTPClient._build_request: its default
     * User-Agent, then the caller's headers in order, then Host and Content-Length).
     */
    private static byte[] tritonclientInfer(String model, String coding) {
        StringJoiner data = new StringJoiner(", ", "[", "]");
        for (float pixel : IMAGES) {
            // numpy's float32 .item() is a Python float; json.dumps writes its repr, the shortest that reads back:
            // what Double.toString writes for pixel / 255 (never below 1e-3, so never in exponent form).
            data.add(Double.toString(pixel));
        }
        String json = "{\"inputs\": [{\"name\": \"" + Requests.INPUT + "\", \"shape\": [" + BATCH
                + ", 1, 28, 28], \"datatype\": \"FP32\", \"data\": " + data + "}], \"outputs\": [{\"name\": \""
                + Requests.OUTPUT + "\", \"parameters\": {\"binary_data\": false}}]}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        // gzip.compress's mtime is the time of the call: 2026-01-01 here.
        byte[] body = coding.equals("gzip") ? CompressedBodies.gzip(bytes, 1_767_225_600)
                : CompressedBodies.zlib(bytes);
        return concat(("POST /v2/models/" + model + "/infer HTTP/1.1\r\n"
                + "User-Agent: python/gevent-http-client-2.3.3\r\n"
                + "Content-Encoding: " + coding + "\r\n"
                + "Accept-Encoding: " + coding + "\r\n"
                + "Host: 127.0.0.1:" + SERVER.server().port() + "\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
    }

    private static Response post(String coding, byte[] body) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            return connection.send(request("POST /v2/models/" + MODEL + "/infer", coding, body)).read();
        }
    }

    /** A request with a body in {@code coding}, asking for the answer in it too: errors come uncompressed. */
    private static byte[] request(String requestLine, String coding, byte[] body) {
        return concat((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Encoding: " + coding + "\r\nAccept-Encoding: " + coding + "\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), body);
    }

    private static byte[] bomb(String coding, byte[] prefix, long zeros) {
        return coding.equals("gzip") ? CompressedBodies.gzipBomb(prefix, zeros)
                : CompressedBodies.zlibBomb(prefix, zeros);
    }

    /**
     * The start of a ModelInferRequest whose raw_input_contents (field 7) holds {@code length} bytes that follow:
     * the model's name and one input tensor, then the field's tag and length.
     */
    private static byte[] rawInputPrefix(long length) {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        try {
            ModelInferRequest.newBuilder().setModelName(MODEL).addInputs(Requests.input(1)).build()
                    .writeTo(prefix);
            CodedOutputStream tag = CodedOutputStream.newInstance(prefix);
            tag.writeTag(ModelInferRequest.RAW_INPUT_CONTENTS_FIELD_NUMBER, 2);
            tag.writeUInt64NoTag(length);
            tag.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return prefix.toByteArray();
    }

    private static byte[] concat(byte[] first, byte[] second) {
        return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
    }

    /** Keeps the grpc-encoding of each call's response headers. */
    private record ResponseEncoding(AtomicReference<String> encoding) implements ClientInterceptor {

        private static final Metadata.Key<String> GRPC_ENCODING =
                Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

        @Override
        public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                CallOptions callOptions, Channel next) {
            return new SimpleForwardingClientCall<>(next.newCall(method, callOptions)) {
                @Override
                public void start(Listener<RespT> listener, Metadata headers) {
                    super.start(new SimpleForwardingClientCallListener<>(listener) {
                        @Override
                        public void onHeaders(Metadata responseHeaders) {
                            encoding.set(responseHeaders.get(GRPC_ENCODING));
                            super.onHeaders(responseHeaders);
                        }
                    }, headers);
                }
            };
        }
    }
}
