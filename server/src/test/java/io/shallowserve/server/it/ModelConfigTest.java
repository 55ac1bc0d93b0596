package io.shallowserve.server.it;

import static io.shallowserve.server.it.GrpcInferenceServiceTest.assertStatus;
import static io.shallowserve.server.it.HttpInferenceApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Status;
import io.shallowserve.proto.inference.DataType;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelConfigRequest;
import io.shallowserve.proto.inference.ModelInput;
import io.shallowserve.proto.inference.ModelInstanceGroup;
import io.shallowserve.proto.inference.ModelRepositoryParameter;
import io.shallowserve.proto.inference.RepositoryModelLoadRequest;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triton's model configuration extension on both protocols against the real server: the configuration says what
 * the model really is and how it is served (serving.yaml), both protocols say the same, and a load that brings a
 * configuration applies what the server can apply and refuses the rest with the reason. Every model is a copy of
 * the committed deep model under a name of its own test.
 */
@Timeout(120)
class ModelConfigTest {

    private static final String BATCHED = "config-batched";
    private static final String PLAIN = "config-plain";
    private static final String OVERRIDE = "config-override";
    private static final String REFUSED = "config-refused";
    private static final String THREADS = "config-threads";
    private static final Path REPOSITORY = repository();

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single",
            "--set", "shallowserve.serving.instances=1");

    private static final float[] IMAGE = FashionMnist.testImages(1);
    private static final float[] EXPECTED = OnnxReference.logits(
            TestRepository.COMMITTED.resolve(TestRepository.DEEP).resolve("1"), IMAGE, 1);

    @Test
    void config_batchedModel_saysWhatServingYamlSetsOnBothProtocols() throws Exception {
        ModelConfig config = sameOnBothProtocols(BATCHED, "");

        assertThat(config.getName()).isEqualTo(BATCHED);
        assertThat(config.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(config.getBackend()).isEqualTo("onnxruntime");
        assertThat(config.getMaxBatchSize()).as("the metadata's max_batch_size").isEqualTo(metadataParameters(BATCHED)
                .get("max_batch_size").getAsInt());
        assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(200);
        assertThat(config.getDynamicBatching().getPreferredBatchSizeList()).containsExactly(4);
        assertThat(config.getInstanceGroupList()).singleElement().satisfies(group -> {
            assertThat(group.getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
            assertThat(group.getCount()).isEqualTo(2);
        });
        assertThat(config.getVersionPolicy().getLatest().getNumVersions()).isEqualTo(1);
        ModelInput input = config.getInput(0);
        assertThat(input.getName()).isEqualTo(Requests.INPUT);
        assertThat(input.getDataType()).isEqualTo(DataType.TYPE_FP32);
        assertThat(input.getFormat()).isEqualTo(ModelInput.Format.FORMAT_NCHW);
        assertThat(input.getDimsList()).as("the metadata shape [-1,1,28,28] without its batch dimension")
                .containsExactly(1L, 28L, 28L);
        assertThat(config.getOutput(0).getName()).isEqualTo(Requests.OUTPUT);
        assertThat(config.getOutput(0).getDimsList()).containsExactly(10L);
    }

    @Test
    void config_unbatchedModel_hasNoDynamicBatching() throws Exception {
        ModelConfig config = sameOnBothProtocols(PLAIN, "1");

        assertThat(config.hasDynamicBatching()).isFalse();
        assertThat(config.getInstanceGroup(0).getCount()).isEqualTo(1);
        assertThat(config.getVersionPolicy().hasAll()).isTrue();
        JsonObject json = JsonParser.parseString(SERVER.get("/v2/models/" + PLAIN + "/config").body())
                .getAsJsonObject();
        assertThat(json.has("dynamic_batching")).as("absent, as Triton writes an unbatched model").isFalse();
        assertThat(json.getAsJsonObject("version_policy").toString()).isEqualTo("{\"all\":{}}");
    }

    @Test
    void config_unknownModelOrVersion_isNotFound() {
        assertError(SERVER.get("/v2/models/no-such-model/config"), 404, "no-such-model");
        assertError(SERVER.get("/v2/models/" + PLAIN + "/versions/9/config"), 404, "no version '9'");
        assertStatus(() -> SERVER.grpc().modelConfig(ModelConfigRequest.newBuilder().setName("no-such-model")
                .build()), Status.Code.NOT_FOUND, "no-such-model");
        assertStatus(() -> SERVER.grpc().modelConfig(ModelConfigRequest.newBuilder().setName(PLAIN).setVersion("9")
                .build()), Status.Code.NOT_FOUND, "no version '9'");
    }

    @Test
    void load_withConfig_appliesBatchingInstancesAndPolicyUntilTheNextPlainLoad() throws Exception {
        String config = "{\"name\": \"" + OVERRIDE + "\", \"max_batch_size\": 16,"
                + " \"dynamic_batching\": {\"preferred_batch_size\": [2],"
                + " \"max_queue_delay_microseconds\": 100}, \"instance_group\": [{\"kind\": \"KIND_CPU\","
                + " \"count\": 3}], \"version_policy\": {\"latest\": {\"num_versions\": 1}},"
                + " \"input\": [{\"name\": \"input\", \"data_type\": \"TYPE_FP32\", \"dims\": [1, 28, 28]}]}";

        HttpResponse<String> load = SERVER.loadWithConfig(OVERRIDE, config);

        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        ModelConfig applied = sameOnBothProtocols(OVERRIDE, "");
        assertThat(applied.getDynamicBatching().getPreferredBatchSizeList()).containsExactly(2);
        assertThat(applied.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(100);
        assertThat(applied.getInstanceGroup(0).getCount()).isEqualTo(3);
        assertThat(applied.getVersionPolicy().getLatest().getNumVersions()).isEqualTo(1);
        assertThat(metadataParameters(OVERRIDE).get("instances").getAsInt()).isEqualTo(3);
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(OVERRIDE, IMAGE)))).containsExactly(EXPECTED);

        // Over gRPC, the configuration the server gave back, batching taken out: the same load Triton's clients make.
        String unbatched = JsonFormat.printer().print(applied.toBuilder().clearDynamicBatching()
                .setInstanceGroup(0, applied.getInstanceGroup(0).toBuilder().setCount(1)).build());
        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName(OVERRIDE)
                .putParameters("config", ModelRepositoryParameter.newBuilder().setStringParam(unbatched).build())
                .build());

        ModelConfig reloaded = sameOnBothProtocols(OVERRIDE, "");
        assertThat(reloaded.hasDynamicBatching()).isFalse();
        assertThat(reloaded.getInstanceGroup(0).getCount()).isEqualTo(1);
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(OVERRIDE, IMAGE)))).containsExactly(EXPECTED);

        assertThat(SERVER.post("/v2/repository/models/" + OVERRIDE + "/load", "").statusCode()).isEqualTo(200);

        ModelConfig fromServingYaml = sameOnBothProtocols(OVERRIDE, "");
        assertThat(fromServingYaml.getInstanceGroup(0).getCount()).as("the server's default, --set").isEqualTo(1);
        assertThat(fromServingYaml.getVersionPolicy().hasAll()).isTrue();
    }

    /** Triton's ONNX Runtime backend parameter: the model's sessions open with that many intra-op threads. */
    @Test
    void load_withIntraOpThreadCount_servesTheModelsSessionsAtThatCount() {
        assertThat(metadataParameters(THREADS).get("plan_candidate").getAsString()).isEqualTo("single 1t");

        HttpResponse<String> load = SERVER.loadWithConfig(THREADS,
                "{\"parameters\": {\"intra_op_thread_count\": {\"string_value\": \"3\"}}}");

        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        assertThat(metadataParameters(THREADS).get("plan_candidate").getAsString()).isEqualTo("single 3t");
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(THREADS, IMAGE)))).containsExactly(EXPECTED);
    }

    @Test
    void load_withConfigTheServerCannotApply_isRefusedAndTheModelServesAsBefore() throws Exception {
        ModelConfig before = sameOnBothProtocols(REFUSED, "");

        assertError(SERVER.loadWithConfig(REFUSED, "{\"max_batch_size\": 100000}"), 400, "shallowserve.limits.batch");
        assertError(SERVER.loadWithConfig(REFUSED, "{\"optimization\": {\"graph\": {\"level\": 1}}}"), 400,
                "'optimization'");
        assertError(SERVER.loadWithConfig(REFUSED, "{\"output\": [{\"name\": \"logits\", \"data_type\": \"TYPE_FP32\","
                + " \"dims\": [1000]}], \"max_batch_size\": 8}"), 400, "the configuration contradicts the graph: output"
                + " 'logits': the configuration says dimension 1 is 1000, the graph fixes it at 10");
        HttpResponse<String> notJson = SERVER.loadWithConfig(REFUSED, "{\"max_batch_size\": 8,");
        assertError(notJson, 400, "load parameter 'config' is not JSON: the text ends before the JSON is complete"
                + " near line 1, column 22 (path $.max_batch_size); send the model configuration as one JSON object");
        assertThat(notJson.body()).as("Gson's advice to programmers").doesNotContain("JsonReader", "http");
        assertError(SERVER.post("/v2/repository/models/" + REFUSED + "/load",
                "{\"parameters\": {\"config\": \"{}\", \"file:1/model.onnx\": \"AAAA\"}}"), 400, "model files");
        assertError(SERVER.post("/v2/repository/models/" + REFUSED + "/load", "{\"parameters\": {\"config\": 1}}"),
                400, "must be a string");
        assertError(SERVER.post("/v2/repository/models/" + REFUSED + "/load", "[]"), 400, "load request");
        assertStatus(() -> SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setModelName(REFUSED)
                .putParameters("config", ModelRepositoryParameter.newBuilder()
                        .setStringParam("{\"instance_group\": [{\"kind\": \"KIND_GPU\"}]}").build())
                .build()), Status.Code.FAILED_PRECONDITION, "KIND_GPU");
        assertStatus(() -> SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setModelName(REFUSED)
                .putParameters("config", ModelRepositoryParameter.newBuilder()
                        .setBytesParam(ByteString.copyFromUtf8("{}")).build())
                .build()), Status.Code.INVALID_ARGUMENT, "must be a string");

        assertThat(sameOnBothProtocols(REFUSED, "")).isEqualTo(before);
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(REFUSED, IMAGE)))).containsExactly(EXPECTED);
    }

    /** The configuration over gRPC, checked equal to the one over HTTP (Triton's JSON form, parsed back). */
    private static ModelConfig sameOnBothProtocols(String model, String version)
            throws InvalidProtocolBufferException {
        ModelConfig grpc = SERVER.grpc().modelConfig(ModelConfigRequest.newBuilder().setName(model)
                .setVersion(version).build()).getConfig();
        HttpResponse<String> http = SERVER.get("/v2/models/" + model
                + (version.isEmpty() ? "" : "/versions/" + version) + "/config");
        assertThat(http.statusCode()).as(http.body()).isEqualTo(200);
        assertThat(http.body()).as("64-bit integers as JSON numbers, as Triton writes them").contains("\"dims\":[1,28,28]");
        ModelConfig.Builder parsed = ModelConfig.newBuilder();
        JsonFormat.parser().merge(http.body(), parsed);
        assertThat(parsed.build()).isEqualTo(grpc);
        return grpc;
    }

    private static JsonObject metadataParameters(String model) {
        return JsonParser.parseString(SERVER.get("/v2/models/" + model).body()).getAsJsonObject()
                .getAsJsonObject("parameters");
    }

    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(ModelConfigTest.class.getSimpleName());
            for (String model : new String[] {BATCHED, PLAIN, OVERRIDE, REFUSED, THREADS}) {
                TestRepository.copyAs(TestRepository.DEEP, model, root, 1);
            }
            Files.writeString(root.resolve(BATCHED).resolve("serving.yaml"), """
                    instances: 2
                    batching:
                      enabled: true
                      max-queue-delay-micros: 200
                      preferred-batch-sizes: [4]
                    version-policy: latest:1
                    """);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
