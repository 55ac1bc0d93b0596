package io.shallowserve.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.RequestedOutput;
import io.shallowserve.server.protocol.ServerMetadata;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    @Test
    void inferenceRequest_flatData_readsInputsOutputsAndId() throws InferenceException {
        InferenceRequest request = read("""
                {"id": "r1", "parameters": {"binary_data_output": false},
                 "inputs": [{"name": "input", "shape": [2, 2], "datatype": "FP32", "parameters": {},
                             "data": [0, 0.1, -1.5, 1e-7]}],
                 "outputs": [{"name": "logits", "parameters": {"classification": 3}}, {"name": "other"}]}""");

        assertThat(request.model()).isEqualTo("m");
        assertThat(request.version()).isEqualTo("v");
        assertThat(request.id()).isEqualTo("r1");
        assertThat(request.deadlineNanoTime()).isEqualTo(Long.MAX_VALUE);
        assertThat(request.inputs()).singleElement().satisfies(input -> {
            assertThat(input.name()).isEqualTo("input");
            assertThat(input.datatype()).isEqualTo(Datatype.FP32);
            assertThat(input.shape()).containsExactly(2, 2);
            assertThat(input.floats()).containsExactly(0f, 0.1f, -1.5f, 1e-7f);
        });
        assertThat(request.outputs())
                .containsExactly(new RequestedOutput("logits", 3), new RequestedOutput("other", 0));
    }

    @Test
    void inferenceRequest_binaryDataParameters_sayWhichOutputsGoBackAsBinaryData() throws InferenceException {
        BinaryTensorData.BinaryOutputs none = readWithOutputs("{\"inputs\": []}").binaryOutputs();
        BinaryTensorData.BinaryOutputs all = readWithOutputs("""
                {"inputs": [], "parameters": {"priority": 0, "binary_data_output": true},
                 "outputs": [{"name": "logits", "parameters": {"classification": 2, "binary_data": false}},
                             {"name": "other"}]}""").binaryOutputs();
        BinaryTensorData.BinaryOutputs one = readWithOutputs("""
                {"inputs": [], "outputs": [{"name": "logits", "parameters": {"binary_data": true}}]}""")
                .binaryOutputs();

        assertThat(none.binary("logits")).isFalse();
        assertThat(all.binary("logits")).as("the output's own setting wins").isFalse();
        assertThat(all.binary("other")).isTrue();
        assertThat(one.binary("logits")).isTrue();
        assertThat(one.binary("other")).isFalse();
    }

    @Test
    void inferenceRequest_nestedDataBeforeTheShape_readsRowMajor() throws InferenceException {
        InferenceRequest request = read("""
                {"inputs": [{"data": [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], "name": "input", "datatype": "FP32",
                             "shape": [2, 2, 2]}]}""");

        assertThat(request.inputs().getFirst().floats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(request.id()).isEmpty();
        assertThat(request.outputs()).isEmpty();
    }

    @Test
    void inferenceRequest_writtenFloats_readBackExactly() throws InferenceException {
        float[] values = {Float.MIN_VALUE, Float.MAX_VALUE, 0.1f, 1f / 3, 123456.79f, -0f};
        StringBuilder data = new StringBuilder();
        for (float value : values) {
            data.append(data.isEmpty() ? "" : ",").append(Float.toString(value));
        }

        InferenceRequest request = read("{\"inputs\": [{\"name\": \"input\", \"shape\": [6], \"datatype\": \"FP32\","
                + " \"data\": [" + data + "]}]}");

        assertThat(request.inputs().getFirst().floats()).containsExactly(values);
    }

    @Test
    void inferenceRequest_largeInput_growsItsBuffer() throws InferenceException {
        int count = 5000;
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < count; i++) {
            data.append(i == 0 ? "" : ",").append(i);
        }

        float[] values = read("{\"inputs\": [{\"name\": \"input\", \"shape\": [" + count + "], \"datatype\": \"FP32\","
                + " \"data\": [" + data + "]}]}").inputs().getFirst().floats();

        assertThat(values).hasSize(count);
        assertThat(values[count - 1]).isEqualTo(count - 1);
    }

    @Test
    void inferenceRequest_badBodies_areInvalidArgumentsSayingWhatIsWrong() {
        Map<String, String> bodies = Map.ofEntries(
                Map.entry("{\"inputs\": [", "not an inference request in JSON"),
                Map.entry("[1, 2]", "not an inference request in JSON"),
                Map.entry("{}", "no \"inputs\""),
                Map.entry("{\"inputs\": []} {}", "expected the end of the JSON, found '{' at byte 15"),
                Map.entry("{\"id\": 7, \"inputs\": []}", "expected a string, found a number at byte 7"),
                Map.entry("{\"inputs\": [{\"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}", "no \"name\""),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"data\": [1]}]}", "no \"shape\""),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"data\": [1]}]}", "no \"datatype\""),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\"}]}", "no \"data\""),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [2000000000], \"datatype\": \"FP64\", \"data\": [1]}]}",
                        "input 'x' has 1 values in \"data\"; shape [2000000000] needs 2000000000"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP33\", \"data\": [1]}]}",
                        "'FP33', which the protocol does not have"),
                // The datatype before the name: the message names the input all the same.
                Map.entry("{\"inputs\": [{\"datatype\": \"BF16\", \"name\": \"x\", \"shape\": [1], \"data\": [1]}]}",
                        "input 'x' has datatype BF16, which this server does not take"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT8\", \"data\": [300]}]}",
                        "input 'x' has 300 in \"data\", outside INT8's range, -128 to 127"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT32\", \"data\": [1.5]}]}",
                        "input 'x' has 1.5 in \"data\", not a whole number, which INT32 data needs"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"BOOL\", \"data\": [1]}]}",
                        "input 'x' has the number 1 in \"data\"; BOOL data is true or false"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"data\": [1, 2]}]}",
                        "input 'x' has 2 values in \"data\"; shape [3] needs 3"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\","
                        + " \"data\": [\"1\"]}]}", "input 'x' has a string in \"data\"; FP32 data is numbers"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT32\", \"data\": [NaN]}]}",
                        "input 'x' has NaN in \"data\", not a whole number, which INT32 data needs"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT64\","
                        + " \"data\": [1e999999999]}]}", "input 'x' has 1e999999999 in \"data\", outside INT64's range"),
                // Made an integer first, each such value took seconds of CPU.
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"INT8\","
                        + " \"data\": [-1e9999999]}]}", "input 'x' has -1e9999999 in \"data\", outside INT8's range"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"UINT8\","
                        + " \"data\": [2e-999999999]}]}", "not a whole number, which UINT8 data needs"),
                // rapidjson refuses a number past a double's range rather than make it an infinity: so does this.
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\","
                        + " \"data\": [1e400]}]}",
                        "input 'x' has 1e400 in \"data\", too large for a double"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP64\","
                        + " \"data\": [-1" + "0".repeat(400) + "]}]}", "too large for a double"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [nan]}]}",
                        "expected a value, found 'nan'"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1.0], \"datatype\": \"FP32\", \"data\": [1]}]}",
                        "expected a whole number at byte 36, found 1.0"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [-1], \"datatype\": \"FP32\", \"data\": []}]}",
                        "dimensions must be >= 0"),
                Map.entry("{\"inputs\": [], \"outputs\": [{\"name\": \"y\", \"parameters\": {\"classification\": 0}}]}",
                        "at least 1"),
                Map.entry("{\"inputs\": [], \"outputs\": [{\"name\": \"y\","
                        + " \"parameters\": {\"classification\": \"2\"}}]}", "must be a number"),
                Map.entry("{\"inputs\": [], \"outputs\": [{\"parameters\": {}}]}", "an output has no \"name\""),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1],"
                        + " \"parameters\": {\"binary_data_size\": 4}}]}", "input 'x' has both \"data\" and"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\","
                        + " \"parameters\": {\"binary_data_size\": -4}}]}", "\"binary_data_size\" is -4"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\","
                        + " \"parameters\": {\"binary_data_size\": \"4\"}}]}", "must be a number of bytes, not STRING"),
                Map.entry("{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\","
                        + " \"parameters\": {\"binary_data_size\": 4}}]}", "no Inference-Header-Content-Length header"),
                Map.entry("{\"inputs\": [], \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": 1}}]}",
                        "\"binary_data\" must be true or false, not NUMBER"),
                Map.entry("{\"inputs\": [], \"parameters\": {\"binary_data_output\": \"true\"}}",
                        "\"binary_data_output\" must be true or false, not STRING"));
        bodies.forEach((body, message) -> assertThatThrownBy(() -> read(body)).as(body)
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains(message);
                }));
    }

    @Test
    void inferenceRequest_nanAndInfinities_readAsTritonReadsThem() throws InferenceException {
        List<Tensor> inputs = read("""
                {"inputs": [
                  {"name": "f", "shape": [8], "datatype": "FP32",
                   "data": [NaN, Infinity, -Infinity, Inf, -Inf, -NaN, 1, -1e39]},
                  {"name": "d", "shape": [3], "datatype": "FP64", "data": [-Infinity, NaN, 1e308]},
                  {"name": "h", "shape": [2], "datatype": "FP16", "data": [Infinity, 1e5]},
                  {"name": "s", "shape": [2], "datatype": "BYTES", "data": ["NaN", "Infinity"]}]}""").inputs();

        // A number a double holds but the tensor's type does not is an infinity, as Triton's cast makes it.
        assertThat(inputs.get(0).floats()).containsExactly(Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f,
                Float.NEGATIVE_INFINITY);
        assertThat(inputs.get(1).number(0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(inputs.get(1).number(1)).isNaN();
        assertThat(inputs.get(1).number(2)).isEqualTo(1e308);
        assertThat(inputs.get(2).number(0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(inputs.get(2).number(1)).isEqualTo(Double.POSITIVE_INFINITY);
        // Quoted, they are strings: a BYTES input keeps them as it would any other word.
        assertThat(inputs.get(3).strings()).containsExactly("NaN", "Infinity");
    }

    @Test
    void inferenceRequest_everyDatatype_readIntoRawLittleEndianBytes() throws Exception {
        List<Tensor> inputs = read("{\"inputs\": ["
                + "{\"name\": \"b\", \"shape\": [2], \"datatype\": \"BOOL\", \"data\": [true, false]},"
                + "{\"name\": \"i\", \"shape\": [1], \"datatype\": \"INT64\", \"data\": [9007199254740993]},"
                + "{\"name\": \"u\", \"shape\": [1], \"datatype\": \"UINT64\", \"data\": [18446744073709551615]},"
                + "{\"name\": \"h\", \"shape\": [1], \"datatype\": \"FP16\", \"data\": [0.5]},"
                + "{\"name\": \"d\", \"shape\": [1], \"datatype\": \"FP64\", \"data\": [0.1]},"
                + "{\"name\": \"s\", \"data\": [[\"é\", \"\"]], \"shape\": [1, 2], \"datatype\": \"BYTES\"}]}").inputs();

        assertThat(inputs.get(0).raw()).containsExactly(1, 0);
        assertThat(inputs.get(1).exactLong(0)).isEqualTo("9007199254740993");
        assertThat(inputs.get(2).exactLong(0)).isEqualTo("18446744073709551615");
        assertThat(inputs.get(3).number(0)).isEqualTo(0.5);
        assertThat(inputs.get(4).number(0)).isEqualTo(0.1);
        assertThat(inputs.get(5).strings()).containsExactly("é", "");
    }

    @Test
    void inferResponse_everyDatatype_writtenAsJsonValues() {
        InferenceResponse response = new InferenceResponse("m", "1", "", List.of(
                new Tensor("b", Datatype.BOOL, new long[] {2}, new byte[] {1, 0}),
                new Tensor("u", Datatype.UINT64, new long[] {1}, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}),
                new Tensor("i", Datatype.INT8, new long[] {1}, new byte[] {-3}),
                new Tensor("h", Datatype.FP16, new long[] {1}, new byte[] {0, 0x38}),
                Tensor.ofStrings("s", new long[] {1}, List.of("é"))));

        String json = new String(JsonCodec.inferResponse(response, Arrays.asList(null, null, null, null, null)),
                StandardCharsets.UTF_8);

        assertThat(json).contains("\"data\":[true,false]", "\"data\":[18446744073709551615]", "\"data\":[-3]",
                "\"data\":[0.5]", "\"data\":[\"é\"]");
    }

    @Test
    void inferResponse_writesFlatDataWithShapeAndEchoesTheId() {
        InferenceResponse response = new InferenceResponse("m", "1", "r1", List.of(
                Tensor.ofFloats("logits", new long[] {1, 4}, new float[] {0.1f, -2f, Float.NaN, 1e-7f}),
                Tensor.ofStrings("classes", new long[] {1, 1}, List.of("0.9:3:Dress \"x\""))));

        byte[] body = JsonCodec.inferResponse(response, Arrays.asList(null, null));
        JsonObject json = parse(body);

        assertThat(json.get("model_name").getAsString()).isEqualTo("m");
        assertThat(json.get("model_version").getAsString()).isEqualTo("1");
        assertThat(json.get("id").getAsString()).isEqualTo("r1");
        JsonObject logits = json.getAsJsonArray("outputs").get(0).getAsJsonObject();
        assertThat(logits.get("datatype").getAsString()).isEqualTo("FP32");
        assertThat(logits.getAsJsonArray("shape").toString()).isEqualTo("[1,4]");
        // JSON has no NaN: it is written as Triton writes it (rapidjson's NaN, Infinity, -Infinity).
        assertThat(new String(body, StandardCharsets.UTF_8)).contains("\"data\":[0.1,-2.0,NaN,1.0E-7]");
        JsonObject classes = json.getAsJsonArray("outputs").get(1).getAsJsonObject();
        assertThat(classes.getAsJsonArray("data").get(0).getAsString()).isEqualTo("0.9:3:Dress \"x\"");
    }

    @Test
    void inferResponse_binaryOutput_hasItsSizeInsteadOfData() {
        InferenceResponse response = new InferenceResponse("m", "1", "", List.of(
                Tensor.ofFloats("logits", new long[] {1, 2}, new float[] {1f, 2f}),
                Tensor.ofStrings("logits", new long[] {1, 1}, List.of("0.9:3:Dress"))));

        JsonObject json = parse(JsonCodec.inferResponse(response, Arrays.asList(new byte[8], null)));

        assertThat(json.getAsJsonArray("outputs").get(0).toString()).isEqualTo("{\"name\":\"logits\",\"datatype\":"
                + "\"FP32\",\"shape\":[1,2],\"parameters\":{\"binary_data_size\":8}}");
        assertThat(json.getAsJsonArray("outputs").get(1).getAsJsonObject().getAsJsonArray("data").toString())
                .isEqualTo("[\"0.9:3:Dress\"]");
    }

    @Test
    void inferResponse_withoutId_leavesTheIdOut() {
        JsonObject json = parse(JsonCodec.inferResponse(new InferenceResponse("m", "1", "", List.of()), List.of()));

        assertThat(json.has("id")).isFalse();
    }

    @Test
    void modelMetadata_writesTheProtocolFieldsAndTheServingPlan() {
        ModelMetadata metadata = new ModelMetadata("m", List.of("2"), "onnxruntime_onnx",
                List.of(ServedTensor.unchanged(new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L)))),
                List.of(ServedTensor.unchanged(new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L)))),
                Optional.of("shallow"), "branches", "branches", Map.of("branches", 80.5),
                Optional.of("fork–join region: 4 branches from stem, joined by Sum branches.sum"), 1234, List.of("a", "b"), 64,
                new ModelSettings(2, new ModelSettings.Batching(true, 500, List.of(4, 8)),
                        VersionPolicy.parse("latest:2")), Optional.empty());

        JsonObject json = parse(JsonCodec.modelMetadata(metadata));

        assertThat(json.get("name").getAsString()).isEqualTo("m");
        assertThat(json.getAsJsonArray("versions").toString()).isEqualTo("[\"2\"]");
        assertThat(json.get("platform").getAsString()).isEqualTo("onnxruntime_onnx");
        assertThat(json.getAsJsonArray("inputs").get(0).toString())
                .isEqualTo("{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,1,28,28]}");
        JsonObject parameters = json.getAsJsonObject("parameters");
        assertThat(parameters.get("shape").getAsString()).isEqualTo("shallow");
        assertThat(parameters.get("plan").getAsString()).isEqualTo("branches");
        assertThat(parameters.getAsJsonObject("plan_micros").get("branches").getAsDouble()).isEqualTo(80.5);
        assertThat(parameters.get("split").getAsString())
                .isEqualTo("fork–join region: 4 branches from stem, joined by Sum branches.sum");
        assertThat(parameters.get("parameter_count").getAsLong()).isEqualTo(1234);
        assertThat(parameters.get("max_batch_size").getAsInt()).isEqualTo(64);
        assertThat(parameters.get("instances").getAsInt()).isEqualTo(2);
        assertThat(parameters.getAsJsonObject("dynamic_batching").toString())
                .isEqualTo("{\"enabled\":true,\"max_queue_delay_micros\":500,\"preferred_batch_sizes\":[4,8]}");
        assertThat(parameters.get("version_policy").getAsString()).isEqualTo("latest:2");
        assertThat(parameters.getAsJsonArray("labels")).hasSize(2);
    }

    @Test
    void statistics_writesTritonsForm() {
        ModelStatistics.Duration duration = new ModelStatistics.Duration(2, 300);
        ModelStatistics statistics = new ModelStatistics("m", "1", 99, 16, 2, duration, duration, duration, duration,
                duration, duration, List.of(new ModelStatistics.Batch(8, duration, duration, duration)), Map.of(), 0);

        JsonObject model = parse(JsonCodec.statistics(List.of(statistics))).getAsJsonArray("model_stats").get(0)
                .getAsJsonObject();

        assertThat(model.get("inference_count").getAsLong()).isEqualTo(16);
        assertThat(model.get("execution_count").getAsLong()).isEqualTo(2);
        assertThat(model.get("last_inference").getAsLong()).isEqualTo(99);
        assertThat(model.getAsJsonObject("inference_stats").getAsJsonObject("compute_infer").toString())
                .isEqualTo("{\"count\":2,\"ns\":300}");
        assertThat(model.getAsJsonArray("batch_stats").toString()).isEqualTo("[{\"batch_size\":8,"
                + "\"compute_input\":{\"count\":2,\"ns\":300},\"compute_infer\":{\"count\":2,\"ns\":300},"
                + "\"compute_output\":{\"count\":2,\"ns\":300}}]");
    }

    @Test
    void serverMetadataAndError_areProtocolJson() {
        assertThat(new String(JsonCodec.serverMetadata(new ServerMetadata("s", "1.0", List.of("statistics"))),
                StandardCharsets.UTF_8))
                .isEqualTo("{\"name\":\"s\",\"version\":\"1.0\",\"extensions\":[\"statistics\"]}");
        assertThat(parse(JsonCodec.error("model \"m\" unknown")).get("error").getAsString())
                .isEqualTo("model \"m\" unknown");
    }

    private static InferenceRequest read(String json) throws InferenceException {
        return readWithOutputs(json).inference();
    }

    private static BinaryTensorData.Request readWithOutputs(String json) throws InferenceException {
        return JsonCodec.inferenceRequest(JsonPullReader.of(json.getBytes(StandardCharsets.UTF_8)), BinaryInputs.none(),
                "m", "v");
    }

    private static JsonObject parse(byte[] json) {
        return JsonParser.parseString(new String(json, StandardCharsets.UTF_8)).getAsJsonObject();
    }
}
