package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Graphs the trainer did not write, in one repository with a trainer-made model: served from model.onnx alone (no
 * model.json), four inputs and four outputs of INT64, FP32, BYTES and BOOL ({@link MixedGraph}), the signature read
 * from the graph and answered over HTTP JSON and gRPC raw contents; the same graph in Triton's layout with a
 * config.pbtxt that sets max_batch_size, batching, instances, the plan and fields this server does not apply; and one
 * whose config.pbtxt contradicts its graph, which does not serve while the others do; and an Inception-like graph
 * whose fork–join region the server finds and runs as the branches plan.
 */
class OnnxGraphServingTest {

    private static final String MODEL = "mixed";
    private static final String TRITON = "mixed-triton";
    private static final String CONTRADICTED = "mixed-contradicted";
    private static final String TRAINED = TestRepository.DEEP;
    /** An Inception-like graph (three convolution paths joined by Concat), served by the branches and single plans. */
    private static final String INCEPTION_BRANCHES = "inception-branches";
    private static final String INCEPTION_SINGLE = "inception-single";
    /** A graph whose first dimension is fixed: no batch, each request alone. */
    private static final String FIXED = "fixed-shape";
    /** Triton's layout: what a Triton user's repository holds, fields this server does not apply included. */
    private static final String TRITON_CONFIG = """
            name: "mixed-triton"
            platform: "onnxruntime_onnx"
            max_batch_size: 4
            input [
              { name: "a" data_type: TYPE_INT64 dims: [ 2 ] },
              { name: "b" data_type: TYPE_FP32 dims: [ 2 ] },
              { name: "s" data_type: TYPE_STRING dims: [ 1 ] reshape: { shape: [ ] } },
              { name: "m" data_type: TYPE_BOOL dims: [ 2 ] }
            ]
            output [ { name: "sum" data_type: TYPE_FP32 dims: [ 2 ] } ]
            dynamic_batching { max_queue_delay_microseconds: 100 }
            instance_group [ { count: 2 kind: KIND_GPU } ]
            optimization { execution_accelerators { cpu_execution_accelerator: [ { name: "openvino" } ] } }
            parameters { key: "shallowserve.plan" value: { string_value: "single" } }
            """;
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString());

    /** The graph's signature, a tensor of the batch alone ([-1]) as [-1, 1], as Triton's auto-complete serves it. */
    @Test
    void metadata_isTheGraphsOwnSignature() {
        JsonObject metadata = JsonParser.parseString(SERVER.get("/v2/models/" + MODEL).body()).getAsJsonObject();

        assertThat(metadata.get("inputs").toString()).isEqualTo("[{\"name\":\"a\",\"datatype\":\"INT64\","
                + "\"shape\":[-1,2]},{\"name\":\"b\",\"datatype\":\"FP32\",\"shape\":[-1,2]},"
                + "{\"name\":\"s\",\"datatype\":\"BYTES\",\"shape\":[-1,1]},"
                + "{\"name\":\"m\",\"datatype\":\"BOOL\",\"shape\":[-1,2]}]");
        assertThat(metadata.get("outputs").toString()).isEqualTo("[{\"name\":\"sum\",\"datatype\":\"FP32\","
                + "\"shape\":[-1,2]},{\"name\":\"positive\",\"datatype\":\"BOOL\",\"shape\":[-1,2]},"
                + "{\"name\":\"same\",\"datatype\":\"BYTES\",\"shape\":[-1,1]},"
                + "{\"name\":\"kept\",\"datatype\":\"INT64\",\"shape\":[-1,2]}]");
        JsonObject parameters = metadata.getAsJsonObject("parameters");
        // No trainer, no network shape; the graph's one initializer is the scalar "zero".
        assertThat(parameters.has("shape")).isFalse();
        assertThat(parameters.get("parameter_count").getAsLong()).isEqualTo(1);
    }

    @Test
    void metadata_trainerMadeModel_keepsItsShapeAndRecordedParameterCount() throws Exception {
        JsonObject parameters = JsonParser.parseString(SERVER.get("/v2/models/" + TRAINED).body()).getAsJsonObject()
                .getAsJsonObject("parameters");

        assertThat(parameters.get("shape").getAsString()).isEqualTo("deep");
        assertThat(parameters.get("parameter_count").getAsLong())
                .isEqualTo(TestRepository.verified(TRAINED).manifest().parameters());
    }

    @Test
    void infer_json_everyDatatypeInAndOut() {
        HttpResponse<String> response = SERVER.post("/v2/models/" + MODEL + "/infer", """
                {"inputs": [
                  {"name": "s", "shape": [2, 1], "datatype": "BYTES", "data": ["é", "x"]},
                  {"name": "a", "shape": [2, 2], "datatype": "INT64", "data": [[1, -5], [9007199254740993, 0]]},
                  {"name": "b", "shape": [2, 2], "datatype": "FP32", "data": [0.5, 2, 0, -1]},
                  {"name": "m", "shape": [2, 2], "datatype": "BOOL", "data": [[true, false], [true, true]]}],
                 "outputs": [{"name": "positive"}, {"name": "same"}, {"name": "sum"}, {"name": "kept"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray outputs = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs");
        assertThat(outputs.get(0).toString()).isEqualTo(
                "{\"name\":\"positive\",\"datatype\":\"BOOL\",\"shape\":[2,2],\"data\":[true,false,true,false]}");
        assertThat(outputs.get(1).toString()).isEqualTo(
                "{\"name\":\"same\",\"datatype\":\"BYTES\",\"shape\":[2,1],\"data\":[\"é\",\"x\"]}");
        assertThat(outputs.get(2).getAsJsonObject().get("data").toString())
                .isEqualTo("[1.5,-3.0,9.007199E15,-1.0]");
        assertThat(outputs.get(3).toString()).isEqualTo(
                "{\"name\":\"kept\",\"datatype\":\"INT64\",\"shape\":[2,2],\"data\":[1,0,9007199254740993,0]}");
    }

    /**
     * 1e39 is beyond FP32 and reads as an infinity, so sum is +inf and -inf. JSON has no infinity; Triton writes
     * Infinity and -Infinity, which Python's json reads back. The server wrote null for both, which numpy reads as NaN.
     */
    @Test
    void infer_json_infiniteOutputs_areWrittenAsTritonWritesThem() {
        HttpResponse<String> response = SERVER.post("/v2/models/" + MODEL + "/infer", """
                {"inputs": [
                  {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["x"]},
                  {"name": "a", "shape": [1, 2], "datatype": "INT64", "data": [0, 0]},
                  {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [1e39, -1e39]},
                  {"name": "m", "shape": [1, 2], "datatype": "BOOL", "data": [true, true]}],
                 "outputs": [{"name": "sum"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"data\":[Infinity,-Infinity]");
    }

    /**
     * Python's json.dumps writes float('nan') and float('-inf') as NaN and -Infinity, and Triton reads them
     * (rapidjson's kParseNanAndInfFlag). The server answered 400, malformed JSON.
     */
    @Test
    void infer_json_nanAndInfinityInputs_readAsTritonReadsThem() {
        HttpResponse<String> response = SERVER.post("/v2/models/" + MODEL + "/infer", """
                {"inputs": [
                  {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["NaN"]},
                  {"name": "a", "shape": [1, 2], "datatype": "INT64", "data": [0, 0]},
                  {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [NaN, -Infinity]},
                  {"name": "m", "shape": [1, 2], "datatype": "BOOL", "data": [true, true]}],
                 "outputs": [{"name": "sum"}, {"name": "same"}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"data\":[NaN,-Infinity]").contains("\"data\":[\"NaN\"]");
    }

    @Test
    void infer_grpcRaw_everyDatatypeInAndOut() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(MODEL)
                .addInputs(InferInputTensor.newBuilder().setName("a").setDatatype("INT64").addShape(1).addShape(2))
                .addInputs(InferInputTensor.newBuilder().setName("b").setDatatype("FP32").addShape(1).addShape(2))
                .addInputs(InferInputTensor.newBuilder().setName("s").setDatatype("BYTES").addShape(1))
                .addInputs(InferInputTensor.newBuilder().setName("m").setDatatype("BOOL").addShape(1).addShape(2))
                .addRawInputContents(ByteString.copyFrom(littleEndian(16).putLong(3).putLong(-7).array()))
                .addRawInputContents(ByteString.copyFrom(littleEndian(8).putFloat(-4f).putFloat(8f).array()))
                .addRawInputContents(ByteString.copyFrom(littleEndian(6).putInt(2).put((byte) 'o')
                        .put((byte) 'k').array()))
                .addRawInputContents(ByteString.copyFrom(new byte[] {0, 1}))
                .build();

        ModelInferResponse response = SERVER.grpc().modelInfer(request);

        assertThat(response.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getDatatype)
                .containsExactly("FP32", "BOOL", "BYTES", "INT64");
        ByteBuffer sum = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(sum.getFloat()).isEqualTo(-1f);
        assertThat(sum.getFloat()).isEqualTo(1f);
        assertThat(response.getRawOutputContents(1).toByteArray()).containsExactly(0, 1);
        assertThat(response.getRawOutputContents(2).toByteArray()).containsExactly(2, 0, 0, 0, 'o', 'k');
        ByteBuffer kept = response.getRawOutputContents(3).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(kept.getLong()).isZero();
        assertThat(kept.getLong()).isEqualTo(-7L);
    }

    @Test
    void tritonLayout_configPbtxtAppliedBesideATrainerMadeModel() {
        JsonObject config = JsonParser.parseString(SERVER.get("/v2/models/" + TRITON + "/config").body())
                .getAsJsonObject();
        assertThat(config.get("max_batch_size").getAsInt()).isEqualTo(4);
        assertThat(config.getAsJsonArray("instance_group").get(0).getAsJsonObject().get("count").getAsInt())
                .isEqualTo(2);
        assertThat(config.getAsJsonObject("dynamic_batching").get("max_queue_delay_microseconds").getAsLong())
                .isEqualTo(100);

        HttpResponse<String> response = SERVER.post("/v2/models/" + TRITON + "/infer", """
                {"inputs": [
                  {"name": "a", "shape": [1, 2], "datatype": "INT64", "data": [1, 2]},
                  {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [0.5, 0.5]},
                  {"name": "s", "shape": [1, 1], "datatype": "BYTES", "data": ["x"]},
                  {"name": "m", "shape": [1, 2], "datatype": "BOOL", "data": [true, true]}],
                 "outputs": [{"name": "sum"}]}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"data\":[1.5,2.5]");
        assertThat(SERVER.get("/v2/models/" + TRAINED + "/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void tritonLayout_batchOverTheConfiguredMaximum_isRefused() {
        HttpResponse<String> response = SERVER.post("/v2/models/" + TRITON + "/infer", """
                {"inputs": [
                  {"name": "a", "shape": [5, 2], "datatype": "INT64", "data": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]},
                  {"name": "b", "shape": [5, 2], "datatype": "FP32", "data": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]},
                  {"name": "s", "shape": [5, 1], "datatype": "BYTES", "data": ["", "", "", "", ""]},
                  {"name": "m", "shape": [5, 2], "datatype": "BOOL", "data": [true, true, true, true, true, true,
                   true, true, true, true]}]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("takes at most 4 per request");
    }

    @Test
    void tritonLayout_configContradictingTheGraph_isNotReadyAndSaysWhy() {
        JsonArray index = JsonParser.parseString(SERVER.post("/v2/repository/index", "{}").body()).getAsJsonArray();

        JsonObject contradicted = index.asList().stream().map(JsonElement::getAsJsonObject)
                .filter(model -> model.get("name").getAsString().equals(CONTRADICTED)).findFirst().orElseThrow();
        assertThat(contradicted.get("state").getAsString()).isEqualTo("UNAVAILABLE");
        assertThat(contradicted.get("reason").getAsString()).contains("the configuration contradicts the graph:"
                + " input 'a': the configuration says FP32, the graph INT64");
    }

    @Test
    void forkJoinGraph_splitFoundAndBranchesPlanAnswersAsSingle() {
        JsonObject parameters = JsonParser.parseString(SERVER.get("/v2/models/" + INCEPTION_BRANCHES).body())
                .getAsJsonObject().getAsJsonObject("parameters");
        assertThat(parameters.get("plan").getAsString()).isEqualTo("branches");
        assertThat(parameters.get("split").getAsString()).startsWith("fork–join region: 3 branches from stem,"
                + " joined by Concat join");
        // Weights and biases: stem 4·3·3·3 + 4, paths 2·4·1·1 + 2, 3·4·3·3 + 3 and 2·4·5·5 + 2, head 5·7 + 5.
        assertThat(parameters.get("parameter_count").getAsLong()).isEqualTo(112 + 10 + 111 + 202 + 40);

        StringBuilder pixels = new StringBuilder();
        for (int i = 0; i < 2 * 3 * 8 * 8; i++) {
            pixels.append(i == 0 ? "" : ",").append((i * 37 % 101) / 101.0);
        }
        String body = "{\"inputs\": [{\"name\": \"image\", \"shape\": [2, 3, 8, 8], \"datatype\": \"FP32\","
                + " \"data\": [" + pixels + "]}]}";
        JsonArray branches = outputData(SERVER.post("/v2/models/" + INCEPTION_BRANCHES + "/infer", body));
        JsonArray single = outputData(SERVER.post("/v2/models/" + INCEPTION_SINGLE + "/infer", body));

        assertThat(branches.size()).isEqualTo(10);
        double largest = single.asList().stream().mapToDouble(value -> Math.abs(value.getAsDouble())).max()
                .orElseThrow();
        for (int i = 0; i < single.size(); i++) {
            assertThat(branches.get(i).getAsDouble()).as("logit %d", i)
                    .isCloseTo(single.get(i).getAsDouble(), within(1e-5 * largest));
        }
    }

    private static JsonArray outputData(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs").get(0)
                .getAsJsonObject().getAsJsonArray("data");
    }

    @Test
    void fixedShapeGraph_servedWithoutBatchDimension() {
        JsonObject parameters = JsonParser.parseString(SERVER.get("/v2/models/" + FIXED).body()).getAsJsonObject()
                .getAsJsonObject("parameters");
        assertThat(parameters.get("max_batch_size").getAsInt()).isZero();

        HttpResponse<String> response = SERVER.post("/v2/models/" + FIXED + "/infer", """
                {"inputs": [{"name": "v", "shape": [3], "datatype": "FP32", "data": [-1, 0.5, 2]}]}""");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"shape\":[3],\"data\":[0.0,0.5,2.0]");
    }

    @Test
    void infer_wrongDatatype_saysWhatTheGraphTakes() {
        HttpResponse<String> response = SERVER.post("/v2/models/" + MODEL + "/infer", """
                {"inputs": [
                  {"name": "a", "shape": [1, 2], "datatype": "INT32", "data": [1, 2]},
                  {"name": "b", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]},
                  {"name": "s", "shape": [1], "datatype": "BYTES", "data": ["x"]},
                  {"name": "m", "shape": [1, 2], "datatype": "BOOL", "data": [true, true]}]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("input 'a' has datatype INT32; model mixed expects INT64");
    }

    private static ByteBuffer littleEndian(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A repository of {@link MixedGraph} three times (model.onnx alone; with a Triton config.pbtxt; with one that
     * contradicts it), the committed deep model, and the Inception-like graph under the branches and single plans.
     */
    private static Path repository() {
        try {
            Path root = Files.createTempDirectory("shallowserve-onnx-graph");
            for (String model : List.of(MODEL, TRITON, CONTRADICTED)) {
                MixedGraph.write(root, model);
            }
            Files.writeString(root.resolve(TRITON).resolve("config.pbtxt"), TRITON_CONFIG);
            Files.writeString(root.resolve(CONTRADICTED).resolve("config.pbtxt"),
                    "max_batch_size: 4\ninput [ { name: \"a\" data_type: TYPE_FP32 dims: [ 2 ] } ]\n");
            TestRepository.copy(TRAINED, root, 1);
            Path fixed = Files.createDirectories(root.resolve(FIXED).resolve("1"));
            Files.write(fixed.resolve("model.onnx"), fixedShapeGraph().toByteArray());
            for (String model : List.of(INCEPTION_BRANCHES, INCEPTION_SINGLE)) {
                Path version = Files.createDirectories(root.resolve(model).resolve("1"));
                Files.write(version.resolve("model.onnx"), TestGraph.inception(false).toByteArray());
                String plan = model.equals(INCEPTION_BRANCHES) ? "branches" : "single";
                Files.writeString(root.resolve(model).resolve("config.pbtxt"),
                        "parameters { key: \"shallowserve.plan\" value: { string_value: \"" + plan + "\" } }\n");
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** relu(v) of a vector of 3: no dimension of any size. */
    private static ModelProto fixedShapeGraph() {
        ValueInfoProto.Builder vector = ValueInfoProto.newBuilder().setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber())
                        .setShape(TensorShapeProto.newBuilder().addDim(
                                TensorShapeProto.Dimension.newBuilder().setDimValue(3)))));
        GraphProto graph = GraphProto.newBuilder().setName("fixed")
                .addInput(vector.clone().setName("v"))
                .addNode(NodeProto.newBuilder().setOpType("Relu").addInput("v").addOutput("r"))
                .addOutput(vector.clone().setName("r"))
                .build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).build();
    }
}
