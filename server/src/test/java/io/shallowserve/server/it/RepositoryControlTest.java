package io.shallowserve.server.it;

import static io.shallowserve.server.it.GrpcInferenceServiceTest.assertStatus;
import static io.shallowserve.server.it.HttpInferenceApiTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelReadyRequest;
import io.shallowserve.proto.inference.RepositoryIndexRequest;
import io.shallowserve.proto.inference.RepositoryModelLoadRequest;
import io.shallowserve.proto.inference.RepositoryModelUnloadRequest;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.repository.TestRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model repository extension against a repository the tests change while the server runs. Every model here is a
 * copy of the committed deep model under a name of its own test, so the tests do not share a model, and every
 * answer, whatever its version, must be the committed model's logits.
 */
@Timeout(120)
class RepositoryControlTest {

    private static final Path REPOSITORY = repository("grow", "broken", "latest", "cycle", "busy", "settings",
            "elsewhere");

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", REPOSITORY.toString(), "--plan", "single");

    private static final float[] IMAGE = FashionMnist.testImages(1);
    private static final float[] EXPECTED = OnnxReference.logits(
            TestRepository.COMMITTED.resolve(TestRepository.DEEP).resolve("1"), IMAGE, 1);

    @Test
    void load_newVersion_servesItBesideTheOldOne() throws IOException {
        TestRepository.copyAs(TestRepository.DEEP, "grow", REPOSITORY, 2);

        HttpResponse<String> load = SERVER.post("/v2/repository/models/grow/load", "");

        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        assertThat(load.body()).isEqualTo("{}");
        assertThat(json(SERVER.get("/v2/models/grow")).getAsJsonArray("versions").asList())
                .extracting(JsonElement::getAsString).containsExactly("2", "1");
        assertThat(httpInfer("/v2/models/grow/infer").get("model_version").getAsString()).isEqualTo("2");
        assertThat(httpInfer("/v2/models/grow/versions/1/infer").get("model_version").getAsString()).isEqualTo("1");
    }

    @Test
    void load_brokenNewVersion_isRefusedWithTheReasonAndTheOldOneKeepsServing() throws IOException {
        Path version2 = TestRepository.copyAs(TestRepository.DEEP, "broken", REPOSITORY, 2);
        Files.write(version2.resolve("model.onnx"), new byte[] {1}, StandardOpenOption.APPEND);

        HttpResponse<String> load = SERVER.post("/v2/repository/models/broken/load", "");

        assertError(load, 400, "version 2 failed to load");
        assertError(load, 400, "sha256");
        assertError(load, 400, "serving version 1 as before");
        assertThat(index()).contains("broken/1 READY", "broken/2 UNAVAILABLE");
        assertThat(httpInfer("/v2/models/broken/infer").get("model_version").getAsString()).isEqualTo("1");
        assertError(SERVER.post("/v2/models/broken/versions/2/infer", Requests.json(IMAGE)), 503, "sha256");
    }

    @Test
    void load_latestOnePolicy_swapsTheNewVersionIn() throws IOException {
        Files.writeString(REPOSITORY.resolve("latest").resolve("serving.yaml"), "version-policy: latest:1\n");
        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("latest").build());
        TestRepository.copyAs(TestRepository.DEEP, "latest", REPOSITORY, 2);

        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("latest").build());

        assertThat(grpcInfer("latest").getModelVersion()).isEqualTo("2");
        assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw("latest", IMAGE).toBuilder().setModelVersion("1")
                .build()), Status.Code.UNAVAILABLE, "not served: version-policy latest:1");
        assertThat(index()).contains("latest/1 UNAVAILABLE", "latest/2 READY");
    }

    @Test
    void unload_refusesNewRequests_andLoadServesTheModelAgain() {
        SERVER.grpc().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("cycle").build());

        assertStatus(() -> grpcInfer("cycle"), Status.Code.UNAVAILABLE, "unloaded");
        assertThat(SERVER.grpc().modelReady(ModelReadyRequest.newBuilder().setName("cycle").build()).getReady())
                .as("ModelReady of an unloaded model: ready = false, not an error").isFalse();
        // As Triton answers: no READY version is 404 ("has no available versions"), a named version not READY 503.
        assertError(SERVER.get("/v2/models/cycle/ready"), 404, "no READY version");
        assertError(SERVER.get("/v2/models/cycle/versions/1/ready"), 503, "unloaded");
        assertThat(index()).contains("cycle/1 UNAVAILABLE");

        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("cycle").build());

        assertThat(Requests.logits(grpcInfer("cycle"))).containsExactly(EXPECTED);
    }

    /** The body reaches the JSON reader as the client's bytes: malformed UTF-8 is refused, not replaced. */
    @Test
    void load_configWithMalformedUtf8_isRefusedAndTheModelKeepsServing() {
        byte[] body = "{\"parameters\": {\"config\": \"{\\\"max_batch_size\\\": 8} \u00ff\"}}"
                .getBytes(StandardCharsets.ISO_8859_1);

        HttpResponse<String> load = SERVER.send(HttpRequest.newBuilder(SERVER.uri("/v2/repository/models/cycle/load"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());

        assertError(load, 400, "malformed UTF-8");
        assertThat(Requests.logits(grpcInfer("cycle"))).containsExactly(EXPECTED);
    }

    @Test
    void load_unknownModel_isNotFoundOnBothProtocols() {
        assertError(SERVER.post("/v2/repository/models/nothing-here/load", ""), 404, "no model folder 'nothing-here'");
        assertStatus(() -> SERVER.grpc().repositoryModelLoad(
                RepositoryModelLoadRequest.newBuilder().setModelName("..").build()), Status.Code.NOT_FOUND, "'..'");
        assertStatus(() -> SERVER.grpc().repositoryModelUnload(
                RepositoryModelUnloadRequest.newBuilder().setModelName("nothing-here").build()),
                Status.Code.NOT_FOUND, "unknown model 'nothing-here'");
    }

    /** A call meant for another repository must not act on this one: it unloaded this server's model of the name. */
    @Test
    void repositoryCalls_namingARepository_areUnimplementedAndChangeNothing() {
        assertStatus(() -> SERVER.grpc().repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder()
                .setRepositoryName("elsewhere").setModelName("elsewhere").build()), Status.Code.UNIMPLEMENTED,
                "repository_name 'elsewhere'");
        assertStatus(() -> SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder()
                .setRepositoryName("elsewhere").setModelName("elsewhere").build()), Status.Code.UNIMPLEMENTED,
                "takes no repository name");
        assertStatus(() -> SERVER.grpc().repositoryIndex(RepositoryIndexRequest.newBuilder()
                .setRepositoryName("elsewhere").build()), Status.Code.UNIMPLEMENTED, "one model repository");

        assertThat(Requests.logits(grpcInfer("elsewhere"))).containsExactly(EXPECTED);
    }

    @Test
    void load_brokenServingYaml_isRefusedNamingTheFileAndTheModelKeepsServing() throws IOException {
        Path settings = REPOSITORY.resolve("settings").resolve("serving.yaml");
        Files.writeString(settings, "instances: 0\n");
        try {
            assertError(SERVER.post("/v2/repository/models/settings/load", ""), 400, "serving.yaml: instances must"
                    + " be 1 to 64, got 0");
            assertThat(httpInfer("/v2/models/settings/infer").get("model_version").getAsString()).isEqualTo("1");
        } finally {
            Files.delete(settings);
        }
    }

    @Test
    void repositoryIndex_readyOnly_leavesTheUnavailableOut() {
        JsonArray all = JsonParser.parseString(SERVER.post("/v2/repository/index", "").body()).getAsJsonArray();
        JsonArray ready = JsonParser.parseString(SERVER.post("/v2/repository/index", "{\"ready\": true}").body())
                .getAsJsonArray();

        assertThat(all.asList()).extracting(e -> e.getAsJsonObject().get("name").getAsString())
                .contains("busy", "cycle", "grow");
        assertThat(ready.asList()).allSatisfy(
                e -> assertThat(e.getAsJsonObject().get("state").getAsString()).isEqualTo("READY"));
        assertError(SERVER.post("/v2/repository/index", "[1]"), 400, "repository index request");
    }

    @Test
    void load_whileClientsSendRequests_failsNoRequest() throws Exception {
        Files.writeString(REPOSITORY.resolve("busy").resolve("serving.yaml"), "version-policy: latest:1\n");
        SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("busy").build());
        AtomicBoolean sending = new AtomicBoolean(true);
        Set<String> versionsSeen = ConcurrentHashMap.newKeySet();
        List<Future<Integer>> clients = new ArrayList<>();
        try (ExecutorService executor = Executors.newFixedThreadPool(4)) {
            for (int client = 0; client < 4; client++) {
                clients.add(executor.submit(() -> {
                    int answered = 0;
                    // Bounded: the reloads below end the loop; the count guards against a hung test.
                    while (sending.get() && answered < 100_000) {
                        ModelInferResponse response = grpcInfer("busy");
                        assertThat(Requests.logits(response)).containsExactly(EXPECTED);
                        versionsSeen.add(response.getModelVersion());
                        answered++;
                    }
                    return answered;
                }));
            }
            // Each load adds a version and, under latest:1, retires the one serving while requests run on it.
            for (int version = 2; version <= 5; version++) {
                TestRepository.copyAs(TestRepository.DEEP, "busy", REPOSITORY, version);
                SERVER.grpc().repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("busy")
                        .build());
                assertThat(grpcInfer("busy").getModelVersion()).isEqualTo(Integer.toString(version));
            }
            sending.set(false);
            int answered = 0;
            for (Future<Integer> client : clients) {
                answered += client.get();
            }
            assertThat(answered).isPositive();
        }
        assertThat(versionsSeen).contains("5");
        assertThat(index()).contains("busy/4 UNAVAILABLE", "busy/5 READY");
    }

    private static ModelInferResponse grpcInfer(String model) {
        return SERVER.grpc().modelInfer(Requests.raw(model, IMAGE));
    }

    private static JsonObject httpInfer(String path) {
        HttpResponse<String> response = SERVER.post(path, Requests.json(IMAGE));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
        assertThat(Requests.logits(response.body())).containsExactly(EXPECTED);
        return body;
    }

    private static JsonObject json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    /** The repository index as "name/version STATE" lines. */
    private static List<String> index() {
        return JsonParser.parseString(SERVER.post("/v2/repository/index", "").body()).getAsJsonArray().asList()
                .stream().map(JsonElement::getAsJsonObject)
                .map(m -> m.get("name").getAsString() + "/" + m.get("version").getAsString() + " "
                        + m.get("state").getAsString())
                .toList();
    }

    /** A repository with version 1 of the deep model under each name. */
    private static Path repository(String... models) {
        try {
            Path root = TestRepository.emptyFolder(RepositoryControlTest.class.getSimpleName());
            for (String model : models) {
                TestRepository.copyAs(TestRepository.DEEP, model, root, 1);
            }
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
