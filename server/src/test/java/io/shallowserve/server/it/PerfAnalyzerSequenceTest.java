package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.shallowserve.proto.inference.ModelConfigRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.proto.inference.ServerMetadataRequest;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What perf_analyzer does against a Triton server, replayed on both protocols against the real server, reading
 * exactly the fields it reads, with real Fashion-MNIST images whose logits must be ONNX Runtime's.
 *
 * <p>Written from perf_analyzer's source (github.com/triton-inference-server/perf_analyzer, commit 263c5f6e):
 * <ul>
 * <li>perf_analyzer.cc: ModelMetadata, then ModelConfig, of the model and version given ("" by default); either
 * failing stops it ("failed to get model config").
 * <li>client_backend/triton/triton_client_backend.cc: over gRPC both answers are turned into JSON by protobuf's
 * MessageToJsonString with preserve_proto_field_names and always_print_primitive_fields, and the configuration is
 * the response's "config" member; over HTTP the bodies are parsed as they come. ServerExtensions reads
 * "extensions". ParseStatistics reads, per model_stats entry, name, version, inference_count, execution_count and
 * inference_stats' success, queue, compute_input, compute_infer, compute_output, cache_hit and cache_miss, each
 * count and ns; over HTTP with rapidjson's GetUint64, which needs JSON numbers that are there.
 * <li>model_parser.cc, InitTriton: max_batch_size (GetInt: a number or a string of one); model_transaction_policy's
 * decoupled and response_cache's enable where present; every metadata input and output with its datatype and its
 * shape, the first dimension skipped when max_batch_size > 0; every configuration input and output must name a
 * metadata tensor ("no metadata found for input tensor"); DetermineSchedulerType: "dynamic_batching" present
 * means DYNAMIC.
 * <li>inference_profiler.cc: the constructor reads the server's extensions and keeps server statistics only if
 * "statistics" is among them; GetServerSideStatus asks for the model's statistics before and after a measurement;
 * DetermineStatsModelVersion, for the version "", takes the version whose queue count grew, parsed with stoll;
 * SummarizeServerStatsHelper subtracts the two.
 * </ul>
 * Inference over gRPC is ModelInfer with raw_input_contents, as its Triton client sends it; over HTTP the JSON
 * tensor form (perf_analyzer's --input-tensor-format json).
 */
@Timeout(120)
class PerfAnalyzerSequenceTest {

    private static final String BATCHED = "perf-batched";
    private static final String UNBATCHED = "perf-unbatched";
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    /** perf_analyzer's default batch size is 1; 4 shows the batch dimension its parser strips. */
    private static final int BATCH = 4;
    private static final int REQUESTS = 6;
    private static final float[] IMAGES = FashionMnist.testImages(BATCH * REQUESTS);
    private static final float[] EXPECTED = OnnxReference.logits(
            TestRepository.COMMITTED.resolve(TestRepository.DEEP).resolve("1"), IMAGES, BATCH * REQUESTS);
    private static final float TOLERANCE = 1e-5f;

    @Test
    void grpc_perfAnalyzerSequence_parsesTheModelAndMeasuresWithServerStatistics() throws Exception {
        for (String model : List.of(BATCHED, UNBATCHED)) {
            List<String> extensions = SERVER.grpc().serverMetadata(ServerMetadataRequest.getDefaultInstance())
                    .getExtensionsList();
            JsonObject metadata = printed(SERVER.grpc().modelMetadata(
                    ModelMetadataRequest.newBuilder().setName(model).build()));
            JsonObject config = printed(SERVER.grpc().modelConfig(
                    ModelConfigRequest.newBuilder().setName(model).build())).getAsJsonObject("config");

            ParsedModel parsed = ParsedModel.parse(metadata, config);

            assertParsed(parsed, model);
            assertThat(extensions).as("perf_analyzer keeps server statistics only then").contains("statistics");
            Map<String, Statistics> before = statistics(SERVER.grpc().modelStatistics(
                    ModelStatisticsRequest.newBuilder().setName(model).build()));
            for (int request = 0; request < REQUESTS; request++) {
                float[] images = images(request);
                ModelInferResponse response = SERVER.grpc().modelInfer(Requests.raw(model, images));
                assertThat(response.getRawOutputContentsCount()).as("raw_output_contents, read by index").isOne();
                assertLogits(Requests.logits(response), request);
            }
            Map<String, Statistics> after = statistics(SERVER.grpc().modelStatistics(
                    ModelStatisticsRequest.newBuilder().setName(model).build()));
            assertServerSideDelta(model, before, after);
        }
    }

    @Test
    void http_perfAnalyzerSequence_parsesTheModelAndMeasuresWithServerStatistics() {
        for (String model : List.of(BATCHED, UNBATCHED)) {
            JsonObject server = object(SERVER.get("/v2"));
            JsonObject metadata = object(SERVER.get("/v2/models/" + model));
            JsonObject config = object(SERVER.get("/v2/models/" + model + "/config"));

            ParsedModel parsed = ParsedModel.parse(metadata, config);

            assertParsed(parsed, model);
            assertThat(server.getAsJsonArray("extensions").asList()).extracting(JsonElement::getAsString)
                    .contains("statistics");
            Map<String, Statistics> before = statistics(object(SERVER.get("/v2/models/" + model + "/stats")));
            for (int request = 0; request < REQUESTS; request++) {
                HttpResponse<String> response = SERVER.post("/v2/models/" + model + "/infer",
                        Requests.json(images(request)));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertLogits(Requests.logits(response.body()), request);
            }
            Map<String, Statistics> after = statistics(object(SERVER.get("/v2/models/" + model + "/stats")));
            assertServerSideDelta(model, before, after);
        }
    }

    private static void assertParsed(ParsedModel parsed, String model) {
        assertThat(parsed.name()).isEqualTo(model);
        assertThat(parsed.maxBatchSize()).isPositive();
        assertThat(parsed.dynamicBatching()).as("scheduler DYNAMIC").isEqualTo(model.equals(BATCHED));
        assertThat(parsed.decoupled()).isFalse();
        assertThat(parsed.inputs()).containsExactly(new ParsedTensor(Requests.INPUT, "FP32", List.of(1L, 28L, 28L)));
        assertThat(parsed.outputs()).containsExactly(new ParsedTensor(Requests.OUTPUT, "FP32", List.of(10L)));
    }

    private static float[] images(int request) {
        float[] images = new float[BATCH * FashionMnist.PIXELS];
        System.arraycopy(IMAGES, request * images.length, images, 0, images.length);
        return images;
    }

    private static void assertLogits(float[] logits, int request) {
        float[] expected = new float[BATCH * 10];
        System.arraycopy(EXPECTED, request * expected.length, expected, 0, expected.length);
        assertThat(Logits.maxDifference(expected, logits)).isLessThanOrEqualTo(TOLERANCE);
    }

    /** DetermineStatsModelVersion and SummarizeServerStatsHelper for the version "". */
    private static void assertServerSideDelta(String model, Map<String, Statistics> before,
            Map<String, Statistics> after) {
        List<String> grown = new ArrayList<>();
        after.forEach((id, stats) -> {
            Statistics start = before.get(id);
            if (id.startsWith(model + "/") && stats.queueCount() > (start == null ? 0 : start.queueCount())) {
                grown.add(id);
            }
        });
        assertThat(grown).as("the versions whose queue count grew").containsExactly(model + "/1");
        assertThat(Long.parseLong(grown.getFirst().substring(model.length() + 1))).as("stoll").isEqualTo(1);
        Statistics start = before.get(model + "/1");
        Statistics end = after.get(model + "/1");
        assertThat(end.inferenceCount() - start.inferenceCount()).isEqualTo((long) BATCH * REQUESTS);
        assertThat(end.successCount() - start.successCount()).isEqualTo(REQUESTS);
        assertThat(end.queueCount() - start.queueCount()).isEqualTo(REQUESTS);
        assertThat(end.computeInferCount() - start.computeInferCount()).isEqualTo(REQUESTS);
        assertThat(end.executionCount() - start.executionCount()).isBetween(1L, (long) REQUESTS);
        assertThat(end.successNanos()).isGreaterThan(start.successNanos());
        assertThat(end.computeInferNanos()).isGreaterThan(start.computeInferNanos());
        assertThat(List.of(end.cacheHitCount(), end.cacheHitNanos(), end.cacheMissCount(), end.cacheMissNanos()))
                .as("no response cache").containsOnly(0L);
    }

    /** The statistics perf_analyzer keeps of one model version (cb::ModelStatistics), by "name/version". */
    private record Statistics(long inferenceCount, long executionCount, long successCount, long successNanos,
            long queueCount, long computeInferCount, long computeInferNanos, long cacheHitCount, long cacheHitNanos,
            long cacheMissCount, long cacheMissNanos) {}

    /** ParseStatistics of the gRPC response. */
    private static Map<String, Statistics> statistics(ModelStatisticsResponse response) {
        Map<String, Statistics> statistics = new HashMap<>();
        for (var stats : response.getModelStatsList()) {
            var inference = stats.getInferenceStats();
            statistics.put(stats.getName() + "/" + stats.getVersion(), new Statistics(stats.getInferenceCount(),
                    stats.getExecutionCount(), inference.getSuccess().getCount(), inference.getSuccess().getNs(),
                    inference.getQueue().getCount(), inference.getComputeInfer().getCount(),
                    inference.getComputeInfer().getNs(), inference.getCacheHit().getCount(),
                    inference.getCacheHit().getNs(), inference.getCacheMiss().getCount(),
                    inference.getCacheMiss().getNs()));
            // Read unconditionally too, though the summary above does not need them.
            assertThat(List.of(inference.getComputeInput().getCount(), inference.getComputeOutput().getCount()))
                    .allSatisfy(count -> assertThat(count).isEqualTo(inference.getSuccess().getCount()));
        }
        return statistics;
    }

    /** ParseStatistics of the HTTP body: every member it reads must be there, a JSON number (GetUint64). */
    private static Map<String, Statistics> statistics(JsonObject body) {
        Map<String, Statistics> statistics = new HashMap<>();
        for (JsonElement element : body.getAsJsonArray("model_stats")) {
            JsonObject stats = element.getAsJsonObject();
            JsonObject inference = stats.getAsJsonObject("inference_stats");
            for (String duration : List.of("success", "queue", "compute_input", "compute_infer", "compute_output",
                    "cache_hit", "cache_miss")) {
                uint64(inference.getAsJsonObject(duration), "count");
                uint64(inference.getAsJsonObject(duration), "ns");
            }
            statistics.put(stats.get("name").getAsString() + "/" + stats.get("version").getAsString(),
                    new Statistics(uint64(stats, "inference_count"), uint64(stats, "execution_count"),
                            uint64(inference.getAsJsonObject("success"), "count"),
                            uint64(inference.getAsJsonObject("success"), "ns"),
                            uint64(inference.getAsJsonObject("queue"), "count"),
                            uint64(inference.getAsJsonObject("compute_infer"), "count"),
                            uint64(inference.getAsJsonObject("compute_infer"), "ns"),
                            uint64(inference.getAsJsonObject("cache_hit"), "count"),
                            uint64(inference.getAsJsonObject("cache_hit"), "ns"),
                            uint64(inference.getAsJsonObject("cache_miss"), "count"),
                            uint64(inference.getAsJsonObject("cache_miss"), "ns")));
        }
        return statistics;
    }

    private static long uint64(JsonObject object, String member) {
        assertThat(object).as("an object holding '%s'", member).isNotNull();
        JsonElement value = object.get(member);
        assertThat(value).as("member '%s' of %s", member, object).isNotNull();
        assertThat(value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber())
                .as("'%s' is a JSON number: %s", member, value).isTrue();
        assertThat(value.getAsLong()).isNotNegative();
        return value.getAsLong();
    }

    /** A tensor as perf_analyzer's ModelParser keeps it: its shape without the batch dimension. */
    private record ParsedTensor(String name, String datatype, List<Long> shape) {}

    /** ModelParser::InitTriton's reading of the metadata and configuration documents. */
    private record ParsedModel(String name, long maxBatchSize, boolean decoupled, boolean dynamicBatching,
            List<ParsedTensor> inputs, List<ParsedTensor> outputs) {

        static ParsedModel parse(JsonObject metadata, JsonObject config) {
            long maxBatchSize = config.has("max_batch_size") ? getInt(config.get("max_batch_size")) : 0;
            boolean decoupled = config.has("model_transaction_policy")
                    && config.getAsJsonObject("model_transaction_policy").get("decoupled").getAsBoolean();
            if (config.has("response_cache")) {
                config.getAsJsonObject("response_cache").get("enable").getAsBoolean();
            }
            boolean ensemble = config.has("platform") && config.get("platform").getAsString().equals("ensemble");
            assertThat(ensemble).isFalse();
            boolean dynamic = !config.has("sequence_batching") && config.has("dynamic_batching");
            List<ParsedTensor> inputs = tensors(metadata.getAsJsonArray("inputs"), maxBatchSize);
            List<ParsedTensor> outputs = tensors(metadata.getAsJsonArray("outputs"), maxBatchSize);
            requireInMetadata(config.getAsJsonArray("input"), inputs);
            requireInMetadata(config.getAsJsonArray("output"), outputs);
            return new ParsedModel(metadata.get("name").getAsString(), maxBatchSize, decoupled, dynamic, inputs,
                    outputs);
        }

        private static List<ParsedTensor> tensors(JsonArray tensors, long maxBatchSize) {
            List<ParsedTensor> parsed = new ArrayList<>();
            for (JsonElement element : tensors) {
                JsonObject tensor = element.getAsJsonObject();
                List<Long> shape = new ArrayList<>();
                boolean skip = maxBatchSize > 0;
                for (JsonElement dimension : tensor.getAsJsonArray("shape")) {
                    if (skip) {
                        skip = false;
                        continue;
                    }
                    shape.add(getInt(dimension));
                }
                parsed.add(new ParsedTensor(tensor.get("name").getAsString(), tensor.get("datatype").getAsString(),
                        shape));
            }
            return parsed;
        }

        /** "no metadata found for input tensor": every configuration tensor is a metadata tensor. */
        private static void requireInMetadata(JsonArray configured, List<ParsedTensor> metadata) {
            if (configured == null) {
                return;
            }
            for (JsonElement element : configured) {
                JsonObject tensor = element.getAsJsonObject();
                String name = tensor.get("name").getAsString();
                assertThat(metadata).as("no metadata found for tensor %s", name)
                        .anyMatch(parsed -> parsed.name().equals(name));
                if (tensor.has("is_shape_tensor")) {
                    assertThat(tensor.get("is_shape_tensor").getAsBoolean()).isFalse();
                }
            }
        }

        /** ModelParser::GetInt: a JSON integer, or a string holding one (protobuf's JSON form of int64). */
        private static long getInt(JsonElement value) {
            assertThat(value.isJsonPrimitive()).as("an integer: %s", value).isTrue();
            return Long.parseLong(value.getAsString());
        }
    }

    /** A gRPC answer as perf_analyzer turns it into JSON (MessageToJsonString, proto names, primitives printed). */
    private static JsonObject printed(MessageOrBuilder message) throws InvalidProtocolBufferException {
        return JsonParser.parseString(JsonFormat.printer().preservingProtoFieldNames()
                .alwaysPrintFieldsWithNoPresence().print(message)).getAsJsonObject();
    }

    private static JsonObject object(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** Two copies of the committed deep model: one dynamically batched (serving.yaml), one not. */
    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(PerfAnalyzerSequenceTest.class.getSimpleName());
            TestRepository.copyAs(TestRepository.DEEP, BATCHED, root, 1);
            TestRepository.copyAs(TestRepository.DEEP, UNBATCHED, root, 1);
            Files.writeString(root.resolve(BATCHED).resolve("serving.yaml"), """
                    instances: 1
                    batching:
                      enabled: true
                      max-queue-delay-micros: 0
                    """);
            Files.writeString(root.resolve(UNBATCHED).resolve("serving.yaml"), "batching:\n  enabled: false\n");
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
