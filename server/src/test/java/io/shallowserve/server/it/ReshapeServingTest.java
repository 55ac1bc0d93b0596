package io.shallowserve.server.it;

import static io.shallowserve.server.it.GrpcInferenceServiceTest.assertStatus;
import static io.shallowserve.server.it.HttpInferenceApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelConfigRequest;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelRepositoryParameter;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.RepositoryModelLoadRequest;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triton's tensor reshape against the real server and ONNX Runtime: a graph of x [-1] to y = -x [-1] in a Triton
 * model folder whose config.pbtxt declares both as Triton's idiom writes them (dims [1], reshape { shape: [] }),
 * with dynamic batching and without; the same graph without config.pbtxt, which the server completes as Triton's
 * ONNX Runtime backend does; a graph that transposes x [-1, 2, 2], declared as dims [4] with reshape [2, 2]; and a
 * configuration whose reshape holds other elements than its dims, refused. Requests and answers in the API shapes
 * over HTTP (JSON and binary data) and gRPC; the metadata and configuration as Triton reports them.
 */
@Timeout(120)
class ReshapeServingTest {

    private static final String BATCHING = "reshape-batching";
    private static final String UNBATCHED = "reshape-unbatched";
    /** The negating graph without config.pbtxt. */
    private static final String AUTO = "batch-only";
    private static final String TRANSPOSE = "reshape-transpose";
    private static final String MISMATCH = "reshape-mismatch";
    /** The negating graph declared with max_batch_size 0 as dims [1, -1], reshape [-1]: no batch dimension. */
    private static final String WHOLE = "reshape-whole-shape";
    /** Triton's idiom for a tensor of the batch alone, and max_batch_size 8. */
    static final String BATCH_ONLY_CONFIG = """
            max_batch_size: 8
            input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
            output [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
            instance_group [ { count: 1 } ]
            """;
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    @Test
    void metadata_reshapedAndAutoCompletedTensors_areTheirApiShapesOnBothProtocols() {
        for (String model : List.of(BATCHING, UNBATCHED, AUTO)) {
            JsonObject http = JsonParser.parseString(SERVER.get("/v2/models/" + model).body()).getAsJsonObject();
            assertThat(http.get("inputs").toString()).as(model)
                    .isEqualTo("[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]");
            assertThat(http.get("outputs").toString()).as(model)
                    .isEqualTo("[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,1]}]");

            ModelMetadataResponse grpc = SERVER.grpc().modelMetadata(ModelMetadataRequest.newBuilder()
                    .setName(model).build());
            assertThat(grpc.getInputs(0).getShapeList()).as(model).containsExactly(-1L, 1L);
            assertThat(grpc.getOutputs(0).getShapeList()).as(model).containsExactly(-1L, 1L);
        }
        JsonObject transpose = JsonParser.parseString(SERVER.get("/v2/models/" + TRANSPOSE).body())
                .getAsJsonObject();
        assertThat(transpose.get("inputs").toString())
                .isEqualTo("[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]");
    }

    @Test
    void config_batchOnlyModelWithoutConfigPbtxt_isDimsOneWithAnEmptyReshape() throws Exception {
        for (String model : List.of(AUTO, BATCHING)) {
            ModelConfig config = sameOnBothProtocols(model);

            assertThat(config.getMaxBatchSize()).as(model).isGreaterThan(0);
            assertThat(config.getInput(0).hasReshape()).as(model).isTrue();
            assertThat(config.getOutput(0).hasReshape()).as(model).isTrue();
            assertThat(config.getInput(0).getDimsList()).as(model).containsExactly(1L);
            assertThat(config.getInput(0).getReshape().getShapeList()).as(model).isEmpty();
            assertThat(config.getOutput(0).getDimsList()).as(model).containsExactly(1L);
            assertThat(config.getOutput(0).getReshape().getShapeList()).as(model).isEmpty();
        }
        assertThat(SERVER.get("/v2/models/" + AUTO + "/config").body())
                .contains("\"dims\":[1],\"reshape\":{\"shape\":[]}");
        ModelConfig transpose = sameOnBothProtocols(TRANSPOSE);
        assertThat(transpose.getInput(0).getDimsList()).containsExactly(4L);
        assertThat(transpose.getInput(0).getReshape().getShapeList()).containsExactly(2L, 2L);
    }

    @Test
    void infer_httpJson_apiShapeInAndOut() {
        for (String model : List.of(BATCHING, UNBATCHED, AUTO)) {
            HttpResponse<String> response = SERVER.post("/v2/models/" + model + "/infer", """
                    {"inputs": [{"name": "x", "shape": [3, 1], "datatype": "FP32", "data": [[1.5], [-2], [0.25]]}]}""");

            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs").get(0)
                    .toString()).as(model)
                    .isEqualTo("{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[3,1],\"data\":[-1.5,2.0,-0.25]}");
        }
    }

    @Test
    void infer_httpBinary_apiShapeInAndOut() {
        for (String model : List.of(BATCHING, UNBATCHED, AUTO)) {
            // As tritonclient.http sends InferInput("x", [2, 1], "FP32") with binary data, every output as binary.
            byte[] x = littleEndian(4f, -8f);
            String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,1],\"datatype\":\"FP32\","
                    + "\"parameters\":{\"binary_data_size\":" + x.length + "}}],"
                    + "\"parameters\":{\"binary_data_output\":true}}";

            TritonInferResult result = sendBinary("/v2/models/" + model + "/infer", json, x);

            assertThat(result.binary("y")).as(model).isTrue();
            assertThat(result.shape("y")).as(model).containsExactly(2L, 1L);
            assertThat(result.fp32("y")).as(model).containsExactly(-4f, 8f);
        }
    }

    @Test
    void infer_grpcRaw_apiShapeInAndOut() {
        for (String model : List.of(BATCHING, UNBATCHED, AUTO)) {
            ModelInferResponse response = SERVER.grpc().modelInfer(request(model, new float[] {1f, 2f, 3f}, 3, 1));

            assertThat(response.getOutputs(0).getName()).isEqualTo("y");
            assertThat(response.getOutputs(0).getShapeList()).as(model).containsExactly(3L, 1L);
            assertThat(floats(response.getRawOutputContents(0))).as(model).containsExactly(-1f, -2f, -3f);
        }
    }

    @Test
    void infer_theGraphsOwnShape_isAnsweredInTheApiShape() {
        ModelInferResponse response = SERVER.grpc().modelInfer(request(AUTO, new float[] {5f, 6f}, 2));

        assertThat(response.getOutputs(0).getShapeList()).containsExactly(2L, 1L);
        assertThat(floats(response.getRawOutputContents(0))).containsExactly(-5f, -6f);
    }

    @Test
    void infer_neitherShape_isRefusedNamingBoth() {
        String expected = "input 'x' has shape [2, 2]; model " + BATCHING + " expects FP32 [-1, 1] (-1 = any size;"
                + " or [-1], the graph's shape)";

        assertError(SERVER.post("/v2/models/" + BATCHING + "/infer", """
                {"inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [1, 2, 3, 4]}]}"""),
                400, expected);
        assertStatus(() -> SERVER.grpc().modelInfer(request(BATCHING, new float[4], 2, 2)),
                Status.Code.INVALID_ARGUMENT, expected);
    }

    @Test
    void infer_transposeOfAReshapedTensor_seesTheValuesInTheGraphsShape() {
        // Row [1, 2, 3, 4] is [[1, 2], [3, 4]] to the graph, transposed [[1, 3], [2, 4]], answered as [1, 3, 2, 4].
        HttpResponse<String> response = SERVER.post("/v2/models/" + TRANSPOSE + "/infer", """
                {"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4, 5, 6, 7, 8]}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs").get(0)
                .toString()).isEqualTo("{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[2,4],"
                        + "\"data\":[1.0,3.0,2.0,4.0,5.0,7.0,6.0,8.0]}");
        ModelInferResponse grpc = SERVER.grpc().modelInfer(request(TRANSPOSE, new float[] {1, 2, 3, 4}, 1, 4));
        assertThat(grpc.getOutputs(0).getShapeList()).containsExactly(1L, 4L);
        assertThat(floats(grpc.getRawOutputContents(0))).containsExactly(1f, 3f, 2f, 4f);
    }

    @Test
    void maxBatchSizeZero_reshapeOfTheWholeShape_runsEachRequestAloneAndSaysSo() throws Exception {
        ModelConfig config = sameOnBothProtocols(WHOLE);
        assertThat(config.getMaxBatchSize()).isZero();
        assertThat(config.getInput(0).getDimsList()).containsExactly(1L, -1L);
        assertThat(config.getInput(0).getReshape().getShapeList()).containsExactly(-1L);
        assertThat(JsonParser.parseString(SERVER.get("/v2/models/" + WHOLE).body()).getAsJsonObject()
                .get("inputs").toString()).isEqualTo("[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,-1]}]");

        ModelInferResponse response = SERVER.grpc().modelInfer(request(WHOLE, new float[] {1f, -2f, 3f}, 1, 3));

        assertThat(response.getOutputs(0).getShapeList()).containsExactly(1L, 3L);
        assertThat(floats(response.getRawOutputContents(0))).containsExactly(-1f, 2f, -3f);
    }

    @Test
    void dynamicBatching_concurrentRequests_eachGetsItsOwnRowsInTheApiShape() throws Exception {
        long executionsBefore = executions(BATCHING);
        int clients = 8;
        int requestsPerClient = 20;
        List<Future<?>> running = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(clients)) {
            for (int client = 0; client < clients; client++) {
                int id = client;
                running.add(executor.submit(() -> {
                    for (int i = 0; i < requestsPerClient; i++) {
                        int rows = 1 + (id + i) % 3;
                        float[] values = new float[rows];
                        for (int row = 0; row < rows; row++) {
                            values[row] = id * 1000 + i * 10 + row;
                        }
                        // Half the clients send the API shape [rows, 1], half the graph's [rows].
                        ModelInferResponse response = SERVER.grpc().modelInfer(id % 2 == 0
                                ? request(BATCHING, values, rows, 1) : request(BATCHING, values, rows));
                        assertThat(response.getOutputs(0).getShapeList()).containsExactly((long) rows, 1L);
                        float[] negated = floats(response.getRawOutputContents(0));
                        for (int row = 0; row < rows; row++) {
                            assertThat(negated[row]).as("client %d request %d row %d", id, i, row)
                                    .isEqualTo(-values[row]);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : running) {
                client.get();
            }
        }

        assertThat(executions(BATCHING) - executionsBefore).as("executions of %d requests", clients
                * requestsPerClient).isLessThan(clients * requestsPerClient);
    }

    @Test
    void load_theConfigurationTheServerReports_loadsAndServes() throws Exception {
        ModelConfig reported = sameOnBothProtocols(AUTO);

        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(AUTO)
                .putParameters("config", ModelRepositoryParameter.newBuilder()
                        .setStringParam(JsonFormat.printer().print(reported)).build())
                .build());

        assertThat(sameOnBothProtocols(AUTO)).isEqualTo(reported);
        ModelInferResponse response = SERVER.grpc().modelInfer(request(AUTO, new float[] {7f}, 1, 1));
        assertThat(floats(response.getRawOutputContents(0))).containsExactly(-7f);
    }

    @Test
    void load_reshapeHoldingOtherElementsThanItsDims_isRefusedNamingTheTensorAndBothShapes() {
        String expected = "input 'x': dims [2] and reshape shape [] hold 2 and 1 elements per batch item; a reshape"
                + " keeps the elements";

        assertThat(SERVER.get("/v2/models/" + MISMATCH + "/ready").statusCode()).isNotEqualTo(200);
        assertError(SERVER.post("/v2/repository/models/" + MISMATCH + "/load", ""), 400, expected);
        assertStatus(() -> SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setModelName(MISMATCH).build()), Status.Code.FAILED_PRECONDITION, expected);
    }

    /** The configuration over gRPC, checked equal to the one over HTTP (Triton's JSON form, parsed back). */
    private static ModelConfig sameOnBothProtocols(String model) throws Exception {
        ModelConfig grpc = SERVER.grpc().modelConfig(ModelConfigRequest.newBuilder().setName(model).build())
                .getConfig();
        HttpResponse<String> http = SERVER.get("/v2/models/" + model + "/config");
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        ModelConfig.Builder parsed = ModelConfig.newBuilder();
        JsonFormat.parser().merge(http.body(), parsed);
        assertThat(parsed.build()).isEqualTo(grpc);
        return grpc;
    }

    /** A request of input x of {@code shape}, {@code values} in raw_input_contents, as Triton's clients send it. */
    private static ModelInferRequest request(String model, float[] values, long... shape) {
        return ModelInferRequest.newBuilder().setModelName(model)
                .addInputs(InferInputTensor.newBuilder().setName("x").setDatatype("FP32")
                        .addAllShape(Arrays.stream(shape).boxed().toList()))
                .addRawInputContents(ByteString.copyFrom(littleEndian(values)))
                .build();
    }

    /** A body with binary tensor data as tritonclient.http frames it, sent and decoded as its InferResult does. */
    private static TritonInferResult sendBinary(String path, String json, byte[] binary) {
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST " + path + " HTTP/1.1\r\n"
                + "Inference-Header-Content-Length: " + jsonBytes.length + "\r\n"
                + "Host: 127.0.0.1:" + SERVER.server().port() + "\r\n"
                + "Content-Length: " + (jsonBytes.length + binary.length) + "\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(jsonBytes);
        request.writeBytes(binary);
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            RawHttp.Response response = connection.send(request.toByteArray()).read();
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            return new TritonInferResult(response);
        }
    }

    private static long executions(String model) {
        return SERVER.grpc().modelStatistics(ModelStatisticsRequest.newBuilder().setName(model).build())
                .getModelStatsList().stream().mapToLong(stats -> stats.getExecutionCount()).sum();
    }

    private static byte[] littleEndian(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    private static float[] floats(ByteString raw) {
        ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    /** The models of this test, each its own folder in Triton's layout. */
    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(ReshapeServingTest.class.getSimpleName());
            for (String model : List.of(BATCHING, UNBATCHED, AUTO, MISMATCH, WHOLE)) {
                write(root, model, negation());
            }
            Files.writeString(root.resolve(BATCHING).resolve("config.pbtxt"), BATCH_ONLY_CONFIG
                    + "dynamic_batching { max_queue_delay_microseconds: 2000 }\n");
            Files.writeString(root.resolve(UNBATCHED).resolve("config.pbtxt"), BATCH_ONLY_CONFIG);
            Files.writeString(root.resolve(MISMATCH).resolve("config.pbtxt"),
                    BATCH_ONLY_CONFIG.replace("dims: [ 1 ] reshape: { shape: [ ] } } ]\noutput",
                            "dims: [ 2 ] reshape: { shape: [ ] } } ]\noutput"));
            Files.writeString(root.resolve(WHOLE).resolve("config.pbtxt"), """
                    max_batch_size: 0
                    input [ { name: "x" data_type: TYPE_FP32 dims: [ 1, -1 ] reshape: { shape: [ -1 ] } } ]
                    output [ { name: "y" data_type: TYPE_FP32 dims: [ 1, -1 ] reshape: { shape: [ -1 ] } } ]
                    """);
            write(root, TRANSPOSE, transposition());
            Files.writeString(root.resolve(TRANSPOSE).resolve("config.pbtxt"), """
                    max_batch_size: 4
                    input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] reshape: { shape: [ 2, 2 ] } } ]
                    output [ { name: "y" data_type: TYPE_FP32 dims: [ 4 ] reshape: { shape: [ 2, 2 ] } } ]
                    """);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path root, String model, ModelProto graph) throws IOException {
        Path version = Files.createDirectories(root.resolve(model).resolve("1"));
        Files.write(version.resolve("model.onnx"), graph.toByteArray());
    }

    /** y = -x, both [N]: a tensor of the batch alone. */
    static ModelProto negation() {
        TestGraph graph = new TestGraph("negation", "x");
        graph.node("Neg", "y", List.of("x"));
        return graph.output("y").model();
    }

    /** y = x transposed in its last two dimensions, both [N, 2, 2]. */
    private static ModelProto transposition() {
        TestGraph graph = new TestGraph("transposition", "x", 2, 2);
        graph.node("Transpose", "y", List.of("x"), AttributeProto.newBuilder().setName("perm")
                .setType(AttributeProto.AttributeType.INTS).addAllInts(List.of(0L, 2L, 1L)).build());
        return graph.output("y", 2, 2).model();
    }
}
