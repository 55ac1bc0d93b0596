package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.InferTensorContents;
import io.shallowserve.proto.inference.ModelConfigRequest;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataRequest;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelReadyRequest;
import io.shallowserve.proto.inference.ModelStatistics;
import io.shallowserve.proto.inference.ModelStatisticsRequest;
import io.shallowserve.proto.inference.RepositoryIndexRequest;
import io.shallowserve.proto.inference.RepositoryIndexResponse;
import io.shallowserve.proto.inference.ServerLiveRequest;
import io.shallowserve.proto.inference.ServerMetadataRequest;
import io.shallowserve.proto.inference.ServerMetadataResponse;
import io.shallowserve.proto.inference.ServerReadyRequest;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every RPC of {@code inference.GRPCInferenceService} and the health service over a real channel. */
class GrpcInferenceServiceTest {

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--plan", "single");

    private static final Map<String, Path> MODELS = OnnxReference.newestVersions(RunningServer.MODELS);
    private static final int BATCH = 16;
    private static final float[] IMAGES = FashionMnist.testImages(BATCH);

    @Test
    void serverLive_isTrue() {
        assertThat(SERVER.grpc().serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }

    @Test
    void serverReady_isTrue() {
        assertThat(SERVER.grpc().serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
    }

    @Test
    void serverMetadata_namesServerVersionAndExtensions() {
        ServerMetadataResponse metadata = SERVER.grpc().serverMetadata(ServerMetadataRequest.getDefaultInstance());

        assertThat(metadata.getName()).isEqualTo("shallowserve");
        assertThat(metadata.getVersion()).isNotBlank();
        assertThat(metadata.getExtensionsList()).containsExactlyInAnyOrder("binary_tensor_data", "classification",
                "model_configuration",
                "model_repository", "statistics");
    }

    @Test
    void modelReady_isTrueForEveryModelOfTheRepository() {
        assertThat(MODELS).isNotEmpty();
        for (String model : MODELS.keySet()) {
            assertThat(SERVER.grpc().modelReady(ModelReadyRequest.newBuilder().setName(model).build()).getReady())
                    .as(model).isTrue();
        }
    }

    @Test
    void modelReady_unknownModelOrVersion_isFalseNotAnError() {
        String model = MODELS.keySet().iterator().next();

        assertThat(SERVER.grpc().modelReady(ModelReadyRequest.newBuilder().setName("no-such-model").build())
                .getReady()).isFalse();
        assertThat(SERVER.grpc().modelReady(ModelReadyRequest.newBuilder().setName(model).setVersion("999").build())
                .getReady()).isFalse();
    }

    @Test
    void modelMetadata_describesFp32ImagesInAndLogitsOutWithVariableBatch() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            ModelMetadataResponse metadata = SERVER.grpc()
                    .modelMetadata(ModelMetadataRequest.newBuilder().setName(model.getKey()).build());

            assertThat(metadata.getName()).isEqualTo(model.getKey());
            assertThat(metadata.getVersionsList()).contains(model.getValue().getFileName().toString());
            assertThat(metadata.getPlatform()).isEqualTo("onnxruntime_onnx");
            assertThat(metadata.getInputsList()).singleElement().satisfies(input -> {
                assertThat(input.getName()).isEqualTo(Requests.INPUT);
                assertThat(input.getDatatype()).isEqualTo("FP32");
                assertThat(input.getShapeList()).containsExactly(-1L, 1L, 28L, 28L);
            });
            assertThat(metadata.getOutputsList()).singleElement().satisfies(output -> {
                assertThat(output.getName()).isEqualTo(Requests.OUTPUT);
                assertThat(output.getDatatype()).isEqualTo("FP32");
                assertThat(output.getShapeList()).containsExactly(-1L, 10L);
            });
        }
    }

    @Test
    void modelMetadata_unknownVersion_isNotFound() {
        String model = MODELS.keySet().iterator().next();
        assertStatus(() -> SERVER.grpc().modelMetadata(
                        ModelMetadataRequest.newBuilder().setName(model).setVersion("999").build()),
                Status.Code.NOT_FOUND, "999");
    }

    @Test
    void modelInfer_rawInputs_answerRawLogitsEqualToInProcessOnnxRuntime() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            ModelInferResponse response = SERVER.grpc().modelInfer(Requests.raw(model.getKey(), IMAGES));

            assertThat(response.getModelName()).isEqualTo(model.getKey());
            assertThat(response.getModelVersion()).isEqualTo(model.getValue().getFileName().toString());
            assertThat(response.getRawOutputContentsCount()).isEqualTo(1);
            assertThat(response.getOutputs(0).getName()).isEqualTo(Requests.OUTPUT);
            assertThat(response.getOutputs(0).getDatatype()).isEqualTo("FP32");
            assertThat(response.getOutputs(0).getShapeList()).containsExactly((long) BATCH, 10L);
            assertThat(response.getOutputs(0).hasContents()).isFalse();
            float[] expected = OnnxReference.logits(model.getValue(), IMAGES, BATCH);
            assertThat(Logits.maxDifference(expected, Requests.logits(response))).as(model.getKey())
                    .isLessThanOrEqualTo(1e-5f);
        }
    }

    @Test
    void modelInfer_typedInputs_answerRawLogitsEqualToThoseOfRawInputs() {
        String model = MODELS.keySet().iterator().next();

        ModelInferResponse typed = SERVER.grpc().modelInfer(Requests.typed(model, IMAGES));
        ModelInferResponse raw = SERVER.grpc().modelInfer(Requests.raw(model, IMAGES));

        // As Triton: raw_output_contents whatever the request's form, which is what its clients read.
        assertThat(typed.getRawOutputContentsCount()).isEqualTo(1);
        assertThat(typed.getOutputs(0).hasContents()).isFalse();
        assertThat(Requests.logits(typed)).containsExactly(Requests.logits(raw));
    }

    @Test
    void modelInfer_explicitVersionAndId_areServedAndEchoed() {
        Map.Entry<String, Path> model = MODELS.entrySet().iterator().next();
        String version = model.getValue().getFileName().toString();

        ModelInferResponse response = SERVER.grpc().modelInfer(Requests.raw(model.getKey(), IMAGES).toBuilder()
                .setModelVersion(version).setId("request-42").build());

        assertThat(response.getModelVersion()).isEqualTo(version);
        assertThat(response.getId()).isEqualTo("request-42");
    }

    @Test
    void modelInfer_classification_answersTopClassesAsScoreIndexLabelStrings() {
        Map.Entry<String, Path> model = MODELS.entrySet().iterator().next();
        float[] logits = OnnxReference.logits(model.getValue(), IMAGES, BATCH);

        ModelInferResponse typed = SERVER.grpc().modelInfer(Requests.typed(model.getKey(), IMAGES).toBuilder()
                .addOutputs(Requests.classification(3)).build());
        ModelInferResponse raw = SERVER.grpc().modelInfer(Requests.raw(model.getKey(), IMAGES).toBuilder()
                .addOutputs(Requests.classification(3)).build());

        assertThat(raw.getOutputs(0).getDatatype()).isEqualTo("BYTES");
        assertThat(raw.getOutputs(0).getShapeList()).containsExactly((long) BATCH, 3L);
        // BYTES in raw_output_contents: each element a 4-byte little-endian length and the UTF-8 bytes.
        ByteBuffer bytes = raw.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        List<String> classes = new ArrayList<>();
        while (bytes.hasRemaining()) {
            byte[] element = new byte[bytes.getInt()];
            bytes.get(element);
            classes.add(new String(element, StandardCharsets.UTF_8));
        }
        assertThat(classes).hasSize(BATCH * 3);
        for (int image = 0; image < BATCH; image++) {
            String[] top = classes.get(image * 3).split(":", 3);
            assertThat(Integer.parseInt(top[1])).as("image %d", image).isEqualTo(Logits.argmax(logits, image, 10));
            assertThat(top[2]).isNotBlank();
        }
        // A typed request gets the same answer, in the same form.
        assertThat(typed.getRawOutputContentsList()).isEqualTo(raw.getRawOutputContentsList());
    }

    @Test
    void modelInfer_withClientDeadline_isServed() {
        String model = MODELS.keySet().iterator().next();

        ModelInferResponse response = SERVER.grpc().withDeadlineAfter(1, TimeUnit.MINUTES)
                .modelInfer(Requests.raw(model, IMAGES));

        assertThat(Requests.logits(response)).hasSize(BATCH * 10);
    }

    @Test
    void modelInfer_wrongShape_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest request = Requests.raw(model, new float[27 * 28]).toBuilder()
                .setInputs(0, Requests.input(1).setShape(3, 27))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "shape");
        assertStillServing();
    }

    @Test
    void modelInfer_wrongDatatype_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(Requests.input(1).setDatatype("INT64")
                        .setContents(InferTensorContents.newBuilder().addAllInt64Contents(
                                Collections.nCopies(FashionMnist.PIXELS, 1L))))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "FP32");
        assertStillServing();
    }

    @Test
    void modelInfer_rawByteLengthNotMatchingShape_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest request = Requests.raw(model, IMAGES).toBuilder()
                .setRawInputContents(0, ByteString.copyFrom(new byte[FashionMnist.PIXELS * 4 * BATCH - 1]))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "bytes");
        assertStillServing();
    }

    @Test
    void modelInfer_typedValueCountNotMatchingShape_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(Requests.input(1).setContents(InferTensorContents.newBuilder().addFp32Contents(1f)))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "fp32_contents");
        assertStillServing();
    }

    @Test
    void modelInfer_rawAndTypedDataTogether_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest typed = Requests.typed(model, IMAGES);
        ModelInferRequest request = Requests.raw(model, IMAGES).toBuilder().setInputs(0, typed.getInputs(0)).build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "raw_input_contents");
        assertStillServing();
    }

    @Test
    void modelInfer_missingInput_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();

        assertStatus(() -> SERVER.grpc().modelInfer(ModelInferRequest.newBuilder().setModelName(model).build()),
                Status.Code.INVALID_ARGUMENT, Requests.INPUT);
        assertStillServing();
    }

    @Test
    void modelInfer_extraInput_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest single = Requests.raw(model, IMAGES);
        ModelInferRequest request = single.toBuilder()
                .addInputs(single.getInputs(0).toBuilder().setName("extra"))
                .addRawInputContents(single.getRawInputContents(0))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "extra");
        assertStillServing();
    }

    @Test
    void modelInfer_unknownOutput_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest request = Requests.raw(model, IMAGES).toBuilder()
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"))
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT, "probabilities");
        assertStillServing();
    }

    @Test
    void modelInfer_sameOutputTwice_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        ModelInferRequest.InferRequestedOutputTensor logits =
                ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(Requests.OUTPUT).build();
        ModelInferRequest request = Requests.raw(model, IMAGES).toBuilder().addOutputs(logits).addOutputs(logits)
                .build();

        assertStatus(() -> SERVER.grpc().modelInfer(request), Status.Code.INVALID_ARGUMENT,
                "output '" + Requests.OUTPUT + "' is requested more than once");
        assertStillServing();
    }

    @Test
    void modelInfer_unknownModel_isNotFound() {
        assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw("no-such-model", IMAGES)),
                Status.Code.NOT_FOUND, "no-such-model");
        assertStillServing();
    }

    @Test
    void modelInfer_unknownVersion_isNotFound() {
        String model = MODELS.keySet().iterator().next();

        assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw(model, IMAGES).toBuilder()
                .setModelVersion("999").build()), Status.Code.NOT_FOUND, "999");
        assertStillServing();
    }

    /** Triton reads a version field as a number (GetModelVersionFromString): other text is INVALID_ARGUMENT. */
    @Test
    void versionedCalls_versionNotANumber_areInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        for (String version : new String[] {"-1", "abc", "1.0", " 1"}) {
            String message = "model version '" + version + "' is not a version number";
            assertStatus(() -> SERVER.grpc().modelReady(ModelReadyRequest.newBuilder().setName(model)
                    .setVersion(version).build()), Status.Code.INVALID_ARGUMENT, message);
            assertStatus(() -> SERVER.grpc().modelMetadata(ModelMetadataRequest.newBuilder().setName(model)
                    .setVersion(version).build()), Status.Code.INVALID_ARGUMENT, message);
            assertStatus(() -> SERVER.grpc().modelConfig(ModelConfigRequest.newBuilder().setName(model)
                    .setVersion(version).build()), Status.Code.INVALID_ARGUMENT, message);
            assertStatus(() -> SERVER.grpc().modelStatistics(ModelStatisticsRequest.newBuilder().setName(model)
                    .setVersion(version).build()), Status.Code.INVALID_ARGUMENT, message);
            assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw(model, IMAGES).toBuilder()
                    .setModelVersion(version).build()), Status.Code.INVALID_ARGUMENT, message);
        }
        assertStillServing();
    }

    @Test
    void modelInfer_batchOverTheMaximum_isInvalidArgument() {
        String model = MODELS.keySet().iterator().next();
        int maxBatch = HttpInferenceApiTest.maxBatchSize(SERVER, model);

        float[] images = new float[(maxBatch + 1) * FashionMnist.PIXELS];

        assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw(model, images)), Status.Code.INVALID_ARGUMENT,
                Integer.toString(maxBatch));
        assertStillServing();
    }

    @Test
    void modelInfer_messageOverTheSizeLimit_isResourceExhausted() {
        String model = MODELS.keySet().iterator().next();
        int images = 16 * 1024 * 1024 / (FashionMnist.PIXELS * Float.BYTES) + 1;

        assertStatus(() -> SERVER.grpc().modelInfer(Requests.raw(model, new float[images * FashionMnist.PIXELS])),
                Status.Code.RESOURCE_EXHAUSTED, "exceeds maximum size 16777216");
        assertStillServing();
    }

    @Test
    void modelStatistics_countsTheInferencesOfAModel() {
        String model = MODELS.keySet().iterator().next();
        long before = inferenceCount(model);

        SERVER.grpc().modelInfer(Requests.raw(model, IMAGES));

        assertThat(inferenceCount(model) - before).isEqualTo(BATCH);
    }

    @Test
    void modelStatistics_unknownModel_isNotFound() {
        assertStatus(() -> SERVER.grpc().modelStatistics(
                ModelStatisticsRequest.newBuilder().setName("no-such-model").build()), Status.Code.NOT_FOUND, "");
    }

    @Test
    void repositoryIndex_listsEveryVersionWithItsState() {
        RepositoryIndexResponse index = SERVER.grpc().repositoryIndex(RepositoryIndexRequest.getDefaultInstance());

        assertThat(index.getModelsList()).extracting(m -> m.getName() + "/" + m.getVersion() + " " + m.getState())
                .containsExactly("fashion-deep/1 READY", "fashion-shallow/1 READY");
    }

    @Test
    void healthCheck_serverAndInferenceService_areServing() {
        HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(SERVER.channel());

        for (String service : List.of("", GRPCInferenceServiceGrpc.SERVICE_NAME)) {
            assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
                    .as("service '%s'", service).isEqualTo(ServingStatus.SERVING);
        }
    }

    @Test
    void healthCheck_unknownService_isNotFound() {
        assertStatus(() -> HealthGrpc.newBlockingStub(SERVER.channel())
                .check(HealthCheckRequest.newBuilder().setService("no.Such").build()), Status.Code.NOT_FOUND, "");
    }

    static void assertStatus(Runnable call, Status.Code code, String messagePart) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
                    assertThat(e.getStatus().getDescription()).as("the message").contains(messagePart);
                });
    }

    /** After a refused request, the next good one is still answered. */
    private static void assertStillServing() {
        String model = MODELS.keySet().iterator().next();
        assertThat(Requests.logits(SERVER.grpc().modelInfer(Requests.raw(model, IMAGES)))).hasSize(BATCH * 10);
    }

    private static long inferenceCount(String model) {
        return SERVER.grpc().modelStatistics(ModelStatisticsRequest.newBuilder().setName(model).build())
                .getModelStatsList().stream().mapToLong(ModelStatistics::getInferenceCount).sum();
    }
}
