package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.proto.inference.ModelStatistics;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every REST path of the Open Inference Protocol, its JSON tensors and errors, and {@code /metrics}. */
class HttpInferenceApiTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final Map<String, Path> MODELS = OnnxReference.newestVersions(RunningServer.MODELS);
    private static final String MODEL = MODELS.keySet().iterator().next();
    private static final int BATCH = 8;
    private static final float[] IMAGES = FashionMnist.testImages(BATCH);

    @Test
    void serverMetadata_namesServerVersionAndExtensions() {
        JsonObject metadata = json(SERVER.get("/v2"), 200);

        assertThat(metadata.get("name").getAsString()).isEqualTo("shallowserve");
        assertThat(metadata.get("version").getAsString()).isNotBlank();
        assertThat(metadata.getAsJsonArray("extensions").asList()).extracting(e -> e.getAsString())
                .containsExactlyInAnyOrder("binary_tensor_data", "classification", "model_configuration",
                        "model_repository", "statistics");
    }

    @Test
    void health_liveAndReady_are200() {
        assertThat(json(SERVER.get("/v2/health/live"), 200).get("live").getAsBoolean()).isTrue();
        assertThat(json(SERVER.get("/v2/health/ready"), 200).get("ready").getAsBoolean()).isTrue();
    }

    @Test
    void modelMetadata_describesTensorsAndTheServingPlan() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            String version = model.getValue().getFileName().toString();
            for (String path : new String[] {"/v2/models/" + model.getKey(),
                    "/v2/models/" + model.getKey() + "/versions/" + version}) {
                JsonObject metadata = json(SERVER.get(path), 200);

                assertThat(metadata.get("name").getAsString()).isEqualTo(model.getKey());
                assertThat(metadata.get("platform").getAsString()).isEqualTo("onnxruntime_onnx");
                JsonObject input = metadata.getAsJsonArray("inputs").get(0).getAsJsonObject();
                assertThat(input.get("name").getAsString()).isEqualTo(Requests.INPUT);
                assertThat(input.get("datatype").getAsString()).isEqualTo("FP32");
                assertThat(input.getAsJsonArray("shape").toString()).isEqualTo("[-1,1,28,28]");
                JsonObject parameters = metadata.getAsJsonObject("parameters");
                assertThat(parameters.get("plan").getAsString()).isEqualTo("single");
                assertThat(parameters.get("parameter_count").getAsLong()).isPositive();
                assertThat(parameters.getAsJsonArray("labels")).hasSize(10);
            }
        }
    }

    @Test
    void modelReady_is200ForEveryModelAndVersion() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            String version = model.getValue().getFileName().toString();
            assertThat(json(SERVER.get("/v2/models/" + model.getKey() + "/ready"), 200).get("ready").getAsBoolean())
                    .isTrue();
            json(SERVER.get("/v2/models/" + model.getKey() + "/versions/" + version + "/ready"), 200);
        }
    }

    /** RFC 9110's IMF-fixdate, two-digit day included, on answers and errors alike. */
    @Test
    void responses_dateHeader_isImfFixdateOfNow() {
        DateTimeFormatter imfFixdate = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
                .withZone(ZoneOffset.UTC);
        for (HttpResponse<String> response : List.of(SERVER.get("/v2/health/live"), SERVER.get("/v2/models/none"),
                SERVER.post("/v2/models/" + MODEL + "/infer", "{"))) {
            String date = response.headers().firstValue("Date").orElseThrow();

            assertThat(date).matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2}"
                    + " GMT");
            assertThat(Duration.between(Instant.from(imfFixdate.parse(date)), Instant.now()).abs())
                    .isLessThan(Duration.ofMinutes(1));
        }
    }

    @Test
    void modelReady_unknownModel_is404() {
        assertError(SERVER.get("/v2/models/no-such-model/ready"), 404, "no-such-model");
    }

    /** Triton's paths take a version of digits only ([0-9]+): any other answers 404 {"error": ...}. */
    @Test
    void modelPaths_versionNotANumber_are404() {
        for (String version : new String[] {"-1", "abc"}) {
            assertError(SERVER.get("/v2/models/" + MODEL + "/versions/" + version), 404, "'" + version + "'");
            assertError(SERVER.get("/v2/models/" + MODEL + "/versions/" + version + "/ready"), 404,
                    "'" + version + "'");
        }
    }

    @Test
    void infer_flatData_answersLogitsEqualToInProcessOnnxRuntime() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            JsonObject response = json(SERVER.post("/v2/models/" + model.getKey() + "/infer",
                    Requests.json(IMAGES)), 200);

            assertThat(response.get("model_name").getAsString()).isEqualTo(model.getKey());
            assertThat(response.get("model_version").getAsString())
                    .isEqualTo(model.getValue().getFileName().toString());
            JsonObject output = response.getAsJsonArray("outputs").get(0).getAsJsonObject();
            assertThat(output.get("name").getAsString()).isEqualTo(Requests.OUTPUT);
            assertThat(output.get("datatype").getAsString()).isEqualTo("FP32");
            assertThat(output.getAsJsonArray("shape").toString()).isEqualTo("[" + BATCH + ",10]");
            float[] expected = OnnxReference.logits(model.getValue(), IMAGES, BATCH);
            assertThat(Logits.maxDifference(expected, Requests.logits(response.toString())))
                    .as(model.getKey()).isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void infer_nestedData_answersTheSameAsFlatData() {
        String flat = SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES)).body();
        String nested = SERVER.post("/v2/models/" + MODEL + "/infer", Requests.nestedJson(IMAGES)).body();

        assertThat(Requests.logits(nested)).containsExactly(Requests.logits(flat));
    }

    @Test
    void infer_sameImagesAsGrpc_answersTheSameLogits() {
        float[] http = Requests.logits(SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES)).body());
        float[] grpc = Requests.logits(SERVER.grpc().modelInfer(Requests.raw(MODEL, IMAGES)));

        assertThat(http).containsExactly(grpc);
    }

    @Test
    void infer_versionPathAndId_areServedAndEchoed() {
        String version = MODELS.get(MODEL).getFileName().toString();
        String body = Requests.json(IMAGES).replaceFirst("\\{", "{\"id\":\"request-7\",");

        JsonObject response = json(SERVER.post("/v2/models/" + MODEL + "/versions/" + version + "/infer", body), 200);

        assertThat(response.get("model_version").getAsString()).isEqualTo(version);
        assertThat(response.get("id").getAsString()).isEqualTo("request-7");
    }

    @Test
    void infer_classification_answersTopClassesAsStrings() {
        float[] logits = OnnxReference.logits(MODELS.get(MODEL), IMAGES, BATCH);
        String body = Requests.json(IMAGES).replaceFirst("]}]}$",
                "]}],\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"classification\":2}}]}");

        JsonObject output = json(SERVER.post("/v2/models/" + MODEL + "/infer", body), 200)
                .getAsJsonArray("outputs").get(0).getAsJsonObject();

        assertThat(output.get("datatype").getAsString()).isEqualTo("BYTES");
        assertThat(output.getAsJsonArray("shape").toString()).isEqualTo("[" + BATCH + ",2]");
        JsonArray data = output.getAsJsonArray("data");
        for (int image = 0; image < BATCH; image++) {
            String[] top = data.get(image * 2).getAsString().split(":", 3);
            assertThat(Integer.parseInt(top[1])).isEqualTo(Logits.argmax(logits, image, 10));
        }
    }

    @Test
    void infer_malformedJson_is400() {
        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", "{\"inputs\": [{\"name\": "), 400, "JSON");
        assertStillServing();
    }

    @Test
    void infer_wrongShape_is400() {
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,27],\"datatype\":\"FP32\",\"data\":"
                + Arrays.toString(new float[28 * 27]) + "}]}";

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", body), 400, "shape");
        assertStillServing();
    }

    @Test
    void infer_wrongDatatype_is400() {
        String body = Requests.json(IMAGES).replace("\"FP32\"", "\"FP64\"");

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", body), 400,
                "input 'input' has datatype FP64; model " + MODEL + " expects FP32");
        assertStillServing();
    }

    @Test
    void infer_dataCountNotMatchingShape_is400() {
        String body = Requests.json(IMAGES).replaceFirst("\"shape\":\\[" + BATCH, "\"shape\":[" + (BATCH + 1));

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", body), 400, "needs");
        assertStillServing();
    }

    @Test
    void infer_stringsInData_is400() {
        String body = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\","
                + "\"data\":[\"a\"]}]}";

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", body), 400, "numbers");
        assertStillServing();
    }

    @Test
    void infer_missingInputs_is400() {
        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", "{\"inputs\":[]}"), 400, Requests.INPUT);
        assertStillServing();
    }

    @Test
    void infer_extraInput_is400() {
        String body = Requests.json(IMAGES);
        String input = body.substring(body.indexOf('[') + 1, body.lastIndexOf(']'));
        String twoInputs = "{\"inputs\":[" + input + "," + input.replace("\"input\"", "\"extra\"") + "]}";

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", twoInputs), 400, "extra");
        assertStillServing();
    }

    @Test
    void infer_sameOutputTwice_is400() {
        String body = Requests.json(IMAGES).replaceFirst("]}]}$",
                "]}],\"outputs\":[{\"name\":\"logits\"},{\"name\":\"logits\"}]}");

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer", body), 400,
                "output 'logits' is requested more than once");
        assertStillServing();
    }

    @Test
    void infer_unknownModelOrVersion_is404() {
        assertError(SERVER.post("/v2/models/no-such-model/infer", Requests.json(IMAGES)), 404, "no-such-model");
        assertError(SERVER.post("/v2/models/" + MODEL + "/versions/999/infer", Requests.json(IMAGES)), 404, "999");
        assertStillServing();
    }

    @Test
    void infer_batchOverTheMaximum_is400() {
        int maxBatch = maxBatchSize(SERVER, MODEL);

        assertError(SERVER.post("/v2/models/" + MODEL + "/infer",
                Requests.json(new float[(maxBatch + 1) * FashionMnist.PIXELS])), 400, Integer.toString(maxBatch));
        assertStillServing();
    }

    @Test
    void infer_bodyOverTheSizeLimit_is413() {
        byte[] body = new byte[16 * 1024 * 1024 + 1];
        Arrays.fill(body, (byte) ' ');

        // Expect: 100-continue lets the 413 arrive before the body is sent. Without it Helidon 4.5.0 answers and
        // closes while the client is still sending, and the client sees the 413 or, now and then, only the reset.
        HttpResponse<String> response = SERVER.send(HttpRequest.newBuilder(SERVER.uri("/v2/models/" + MODEL + "/infer"))
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());

        assertError(response, 413, "limit");
        assertStillServing();
    }

    @Test
    void statistics_countTheInferencesOfAModelAndListEveryModel() {
        long before = inferenceCount(MODEL);

        SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES));

        assertThat(inferenceCount(MODEL) - before).isEqualTo(BATCH);
        JsonArray all = json(SERVER.get("/v2/models/stats"), 200).getAsJsonArray("model_stats");
        assertThat(all.asList()).extracting(stats -> stats.getAsJsonObject().get("name").getAsString())
                .containsAll(MODELS.keySet());
    }

    @Test
    void unknownPath_is404AndAnotherMethodOnAKnownPath405WithJsonError() {
        assertError(SERVER.get("/v3/health/ready"), 404, "/v3/health/ready");
        assertError(SERVER.get("/v2/models/" + MODEL + "/infer"), 405, "takes POST, not GET");
    }

    @Test
    void metrics_afterTraffic_countRequestsByProtocolModelAndOutcome() {
        SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES));
        SERVER.post("/v2/models/" + MODEL + "/infer", "{}");
        SERVER.grpc().modelInfer(Requests.raw(MODEL, IMAGES));

        String metrics = SERVER.get("/metrics").body();

        String http = "model=\"" + MODEL + "\",outcome=\"%s\",protocol=\"http\"";
        String grpc = "model=\"" + MODEL + "\",outcome=\"success\",protocol=\"grpc\"";
        assertThat(metrics)
                .contains("shallowserve_frontend_requests_seconds_count{" + http.formatted("success") + "}")
                .contains("shallowserve_frontend_requests_seconds_count{" + http.formatted("invalid_argument") + "}")
                .contains("shallowserve_frontend_requests_seconds_count{" + grpc + "}")
                .contains("shallowserve_frontend_requests_seconds_bucket{" + grpc + ",le=\"5.0E-5\"}")
                .contains("shallowserve_frontend_inflight_requests{model=\"" + MODEL + "\",protocol=\"grpc\"}")
                // The engine's own meters share the registry.
                .contains("shallowserve_requests_total{")
                .contains("shallowserve_compute_seconds_bucket{");
    }

    /** Triton's nv_inference_* metrics, which dashboards and autoscalers written for Triton read. */
    @Test
    void metrics_tritonsFamilies_countWhatTheStatisticsExtensionCounts() {
        SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES));
        SERVER.post("/v2/models/" + MODEL + "/infer", "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 1, 28, 28],"
                + " \"datatype\": \"FP32\", \"data\": [1]}]}");

        ModelStatistics statistics = SERVER.grpc().modelStatistics(ModelStatisticsRequest.newBuilder()
                .setName(MODEL).build()).getModelStats(0);
        String metrics = SERVER.get("/metrics").body();

        String labels = "{model=\"" + MODEL + "\",version=\"" + statistics.getVersion() + "\"";
        assertThat(statistics.getInferenceStats().getSuccess().getCount()).isPositive();
        assertThat(metrics)
                .contains("# TYPE nv_inference_request_success counter\n")
                .contains("nv_inference_request_success" + labels + "} "
                        + statistics.getInferenceStats().getSuccess().getCount() + "\n")
                .contains("nv_inference_count" + labels + "} " + statistics.getInferenceCount() + "\n")
                .contains("nv_inference_exec_count" + labels + "} " + statistics.getExecutionCount() + "\n")
                .contains("nv_inference_queue_duration_us" + labels + "} "
                        + statistics.getInferenceStats().getQueue().getNs() / 1_000 + "\n")
                .contains("nv_inference_pending_request_count" + labels + "} 0\n");
        // The invalid request is a failure to neither, as in Triton: the failures by reason add up to the fail count.
        long tritonFailures = metrics.lines().filter(line -> line.startsWith("nv_inference_request_failure" + labels))
                .mapToLong(line -> Long.parseLong(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertThat(tritonFailures).isEqualTo(statistics.getInferenceStats().getFail().getCount());
    }

    /** The largest batch the server takes for {@code model}, from its metadata. */
    static int maxBatchSize(RunningServer server, String model) {
        return json(server.get("/v2/models/" + model), 200).getAsJsonObject("parameters").get("max_batch_size")
                .getAsInt();
    }

    private static long inferenceCount(String model) {
        return json(SERVER.get("/v2/models/" + model + "/stats"), 200).getAsJsonArray("model_stats").asList().stream()
                .mapToLong(stats -> stats.getAsJsonObject().get("inference_count").getAsLong()).sum();
    }

    static JsonObject json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JsonParser.parseString(response.body()).getAsJsonObject();
    }

    static void assertError(HttpResponse<String> response, int status, String messagePart) {
        assertThat(json(response, status).get("error").getAsString()).contains(messagePart);
    }

    private static void assertStillServing() {
        assertThat(Requests.logits(json(SERVER.post("/v2/models/" + MODEL + "/infer", Requests.json(IMAGES)), 200)
                .toString())).hasSize(BATCH * 10);
    }
}
