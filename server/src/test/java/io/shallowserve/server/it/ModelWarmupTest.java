package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.runtime.graph.TestGraph;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triton's model_warmup against the real server and ONNX Runtime, on a graph of y = -x declared as Triton writes a
 * tensor of the batch alone (dims [1], reshape to []): a sample read from the model's warmup/ folder in config.pbtxt,
 * samples of zeros and random bytes in a load request's configuration, run on each of two instances; a sample whose
 * file is short, one for an input the model does not have and one that ONNX Runtime fails to run fail the version's
 * load, naming the sample. Warm-up runs are not requests: the statistics do not count them. Each test has models of
 * its own.
 */
@Timeout(120)
class ModelWarmupTest {

    private static final String FROM_FILE = "warmup-file";
    private static final String SHORT_FILE = "warmup-short-file";
    private static final String UNKNOWN_INPUT = "warmup-unknown-input";
    /** y = x reshaped to rows of 3, which ONNX Runtime refuses for a batch of 2 rows. */
    private static final String FAILS_TO_RUN = "warmup-fails-to-run";
    private static final String LOADED = "warmup-by-load";
    private static final String REFUSED = "warmup-refused";
    /** {@link MixedGraph}'s four datatypes, warmed up as Triton's own tests (qa/L0_warmup) write their samples. */
    private static final String EVERY_TYPE = "warmup-every-type";
    /** Triton's idiom for the graph's tensors of the batch alone, max_batch_size 8, one instance. */
    private static final String TENSORS = ReshapeServingTest.BATCH_ONLY_CONFIG;
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    @Test
    void start_sampleFromItsFile_versionServesAndTheWarmUpIsNotCounted() {
        assertThat(SERVER.get("/v2/models/" + FROM_FILE + "/ready").statusCode()).isEqualTo(200);
        assertThat(statistics(FROM_FILE, "execution_count")).isZero();

        assertThat(negated(FROM_FILE, 1.5f)).isEqualTo(-1.5f);
        assertThat(statistics(FROM_FILE, "inference_count")).isEqualTo(1);
        // The model configuration reports the sample it runs.
        assertThat(SERVER.get("/v2/models/" + FROM_FILE + "/config").body()).contains("\"model_warmup\":[{\"name\":"
                + "\"from file\",\"batch_size\":2,\"inputs\":{\"x\":{\"data_type\":\"TYPE_FP32\",\"dims\":[1],"
                + "\"input_data_file\":\"x.raw\"}},\"count\":1}]");
    }

    @Test
    void start_samplesThatDoNotFitTheModel_failTheVersionNamingTheSample() {
        Map<String, JsonObject> index = new HashMap<>();
        for (JsonElement entry : JsonParser.parseString(SERVER.post("/v2/repository/index", "{}").body())
                .getAsJsonArray()) {
            index.put(entry.getAsJsonObject().get("name").getAsString(), entry.getAsJsonObject());
        }

        assertThat(index.get(SHORT_FILE).get("state").getAsString()).isEqualTo("UNAVAILABLE");
        assertThat(index.get(SHORT_FILE).get("reason").getAsString()).contains("failed to run warmup sample 'short':"
                + " input 'x' FP32 [1, 1] needs 4 bytes, but warmup-short-file/warmup/x.raw has 2");
        assertThat(index.get(UNKNOWN_INPUT).get("state").getAsString()).isEqualTo("UNAVAILABLE");
        assertThat(index.get(UNKNOWN_INPUT).get("reason").getAsString())
                .contains("failed to run warmup sample 'unknown': unknown input 'z': model warmup-unknown-input has"
                        + " inputs");
        assertThat(SERVER.get("/v2/models/" + UNKNOWN_INPUT + "/ready").statusCode()).isNotEqualTo(200);
        assertThat(index.get(FAILS_TO_RUN).get("state").getAsString()).isEqualTo("UNAVAILABLE");
        assertThat(index.get(FAILS_TO_RUN).get("reason").getAsString())
                .contains("failed to run warmup sample 'two rows': instance 0: ")
                .contains("Reshape");
    }

    /**
     * Random data of every kind, in config.pbtxt as Triton's qa/L0_warmup writes its samples (a scalar dims, "name :"):
     * INT64 and FP32 random bytes, BOOL 0 or 1, BYTES zeros (empty strings, as Triton falls back for strings).
     */
    @Test
    void start_randomSampleOfEveryDatatype_versionServes() {
        assertThat(SERVER.get("/v2/models/" + EVERY_TYPE + "/ready").statusCode()).isEqualTo(200);
        assertThat(statistics(EVERY_TYPE, "execution_count")).isZero();
    }

    @Test
    void load_configWithSamples_runsEverySampleOnEveryInstanceBeforeServing() {
        String config = "{\"max_batch_size\": 8,"
                + " \"input\": [{\"name\": \"x\", \"data_type\": \"TYPE_FP32\", \"dims\": [1], \"reshape\": {}}],"
                + " \"instance_group\": [{\"kind\": \"KIND_CPU\", \"count\": 2}],"
                + " \"model_warmup\": [{\"name\": \"zeros\", \"batch_size\": 4, \"count\": 2, \"inputs\": {\"x\":"
                + " {\"data_type\": \"TYPE_FP32\", \"dims\": [1], \"zero_data\": true}}},"
                + " {\"name\": \"random\", \"batch_size\": 1, \"inputs\": {\"x\":"
                + " {\"data_type\": \"TYPE_FP32\", \"dims\": [1], \"random_data\": true}}}]}";

        HttpResponse<String> load;
        List<String> lines;
        try (LogCapture log = new LogCapture()) {
            load = SERVER.loadWithConfig(LOADED, config);
            lines = log.lines();
        }

        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        // Two samples on two instances: zeros twice and random once on each.
        assertThat(lines).anyMatch(line -> line.contains(LOADED + "/1: warmed up, 2 sample(s) on 2 instance(s):"
                + " 6 batch(es) in "));
        assertThat(statistics(LOADED, "execution_count")).isZero();
        assertThat(negated(LOADED, -4f)).isEqualTo(4f);
    }

    @Test
    void load_sampleThatDoesNotFit_isRefusedAndTheVersionServesOn() {
        String config = "{\"max_batch_size\": 8, \"model_warmup\": [{\"name\": \"wrong type\","
                + " \"batch_size\": 1, \"inputs\": {\"x\": {\"data_type\": \"TYPE_INT32\", \"dims\": [1],"
                + " \"zero_data\": true}}}]}";

        HttpResponse<String> load = SERVER.loadWithConfig(REFUSED, config);

        assertThat(load.statusCode()).isEqualTo(400);
        assertThat(load.body()).contains("failed to run warmup sample 'wrong type': input 'x'");
        assertThat(negated(REFUSED, 2f)).isEqualTo(-2f);
    }

    /** The batch is checked against the model as loaded: its largest batch, or none without a batch dimension. */
    @Test
    void load_batchTheModelCannotRun_isRefusedAndTheVersionServesOn() {
        String overTheLargest = "{\"max_batch_size\": 8, \"model_warmup\": [{\"name\": \"nine\", \"batch_size\": 9,"
                + " \"inputs\": {\"x\": {\"data_type\": \"TYPE_FP32\", \"dims\": [1], \"zero_data\": true}}}]}";
        // As ReshapeServingTest's whole-shape model: dims [1, -1] reshaped to the graph's [-1], no batch dimension.
        String noBatch = "{\"max_batch_size\": 0,"
                + " \"input\": [{\"name\": \"x\", \"data_type\": \"TYPE_FP32\", \"dims\": [1, -1],"
                + " \"reshape\": {\"shape\": [-1]}}],"
                + " \"output\": [{\"name\": \"y\", \"data_type\": \"TYPE_FP32\", \"dims\": [1, -1],"
                + " \"reshape\": {\"shape\": [-1]}}],"
                + " \"model_warmup\": [{\"name\": \"two\", \"batch_size\": 2,"
                + " \"inputs\": {\"x\": {\"data_type\": \"TYPE_FP32\", \"dims\": [1, 3], \"zero_data\": true}}}]}";

        HttpResponse<String> over = SERVER.loadWithConfig(REFUSED, overTheLargest);
        HttpResponse<String> unbatched = SERVER.loadWithConfig(REFUSED, noBatch);

        assertThat(over.statusCode()).isEqualTo(400);
        assertThat(over.body()).contains("failed to run warmup sample 'nine': batch_size is 9, over the model's largest"
                + " batch, 8");
        assertThat(unbatched.statusCode()).isEqualTo(400);
        assertThat(unbatched.body()).contains("failed to run warmup sample 'two': batch_size is 2, but the model has no"
                + " batch dimension");
        assertThat(negated(REFUSED, 3f)).isEqualTo(-3f);
    }

    /** -x as the model answers it over HTTP JSON. */
    private static float negated(String model, float x) {
        HttpResponse<String> response = SERVER.post("/v2/models/" + model + "/infer",
                "{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 1], \"datatype\": \"FP32\", \"data\": [" + x + "]}]}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonArray outputs = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("outputs");
        return outputs.get(0).getAsJsonObject().getAsJsonArray("data").get(0).getAsFloat();
    }

    /** One count of the model's statistics extension. */
    private static long statistics(String model, String count) {
        JsonObject stats = JsonParser.parseString(SERVER.get("/v2/models/" + model + "/stats").body())
                .getAsJsonObject().getAsJsonArray("model_stats").get(0).getAsJsonObject();
        return stats.get(count).getAsLong();
    }

    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(ModelWarmupTest.class.getSimpleName());
            write(root, FROM_FILE, TENSORS + """
                    model_warmup [ { name: "from file" batch_size: 2
                      inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 1 ] input_data_file: "x.raw" } } } ]
                    """);
            // Triton takes the bytes the sample needs from the start of the file; the rest is left.
            Files.write(Files.createDirectories(root.resolve(FROM_FILE).resolve("warmup")).resolve("x.raw"),
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(7f).array());
            write(root, SHORT_FILE, TENSORS + """
                    model_warmup [ { name: "short" batch_size: 1
                      inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 1 ] input_data_file: "x.raw" } } } ]
                    """);
            Files.write(Files.createDirectories(root.resolve(SHORT_FILE).resolve("warmup")).resolve("x.raw"),
                    new byte[2]);
            write(root, UNKNOWN_INPUT, TENSORS + """
                    model_warmup [ { name: "unknown" batch_size: 1
                      inputs { key: "z" value: { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true } } } ]
                    """);
            write(root, LOADED, TENSORS);
            write(root, REFUSED, TENSORS);
            MixedGraph.write(root, EVERY_TYPE);
            StringBuilder sample = new StringBuilder("model_warmup [{\n    name : \"every type\"\n    batch_size: 2\n");
            for (String[] input : new String[][] {{"a", "TYPE_INT64", "2"}, {"b", "TYPE_FP32", "2"},
                    {"s", "TYPE_STRING", "1"}, {"m", "TYPE_BOOL", "2"}}) {
                sample.append("    inputs {\n        key: \"").append(input[0]).append("\"\n        value: {\n")
                        .append("            data_type: ").append(input[1]).append("\n            dims: ")
                        .append(input[2]).append("\n            random_data: true\n        }\n    }\n");
            }
            Files.writeString(root.resolve(EVERY_TYPE).resolve("config.pbtxt"), sample.append("}]\n"));
            Path failing = Files.createDirectories(root.resolve(FAILS_TO_RUN).resolve("1"));
            Files.write(failing.resolve("model.onnx"), rowsOfThree().toByteArray());
            Files.writeString(root.resolve(FAILS_TO_RUN).resolve("config.pbtxt"), """
                    max_batch_size: 8
                    input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
                    model_warmup [ { name: "two rows" batch_size: 2
                      inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true } } } ]
                    """);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** y = x [N] reshaped to [N / 3, 3]: ONNX Runtime fails it where N is not a multiple of 3. */
    private static ModelProto rowsOfThree() {
        TestGraph graph = new TestGraph("rows-of-three", "x");
        graph.node("Constant", "rows", List.of(), AttributeProto.newBuilder().setName("value")
                .setType(AttributeProto.AttributeType.TENSOR)
                .setT(TensorProto.newBuilder().setDataType(TensorProto.DataType.INT64_VALUE).addDims(2)
                        .addInt64Data(-1).addInt64Data(3))
                .build());
        graph.node("Reshape", "y", List.of("x", "rows"));
        return graph.output("y", 3).model();
    }

    private static void write(Path root, String model, String config) throws IOException {
        Path version = Files.createDirectories(root.resolve(model).resolve("1"));
        Files.write(version.resolve("model.onnx"), ReshapeServingTest.negation().toByteArray());
        Files.writeString(root.resolve(model).resolve("config.pbtxt"), config);
    }
}
