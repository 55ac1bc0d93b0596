package io.shallowserve.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.InternalMetadata;
import io.grpc.InternalStatus;
import io.grpc.Metadata;
import io.grpc.Status;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.InferTensorContents;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.proto.inference.ModelMetadataResponse;
import io.shallowserve.proto.inference.ModelStatisticsResponse;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.RequestedOutput;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProtoCodecTest {

    private static final float[] VALUES = {0f, 0.1f, -1.5f, Float.MIN_VALUE, 1e-7f, 255f};

    @Test
    void inferenceRequest_rawInputs_decodeLittleEndianFp32() throws InferenceException {
        ModelInferRequest request = request(VALUES.length).addRawInputContents(littleEndian(VALUES))
                .setModelVersion("2").setId("id-1").build();

        InferenceRequest decoded = ProtoCodec.inferenceRequest(request, 123L);

        assertThat(decoded.model()).isEqualTo("m");
        assertThat(decoded.version()).isEqualTo("2");
        assertThat(decoded.id()).isEqualTo("id-1");
        assertThat(decoded.deadlineNanoTime()).isEqualTo(123L);
        Tensor input = decoded.inputs().getFirst();
        assertThat(input.name()).isEqualTo("input");
        assertThat(input.datatype()).isEqualTo(Datatype.FP32);
        assertThat(input.shape()).containsExactly(1, VALUES.length);
        assertThat(input.floats()).containsExactly(VALUES);
        assertThat(decoded.outputs()).isEmpty();
    }

    @Test
    void inferenceRequest_typedInputs_decodeFp32Contents() throws InferenceException {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : VALUES) {
            contents.addFp32Contents(value);
        }
        ModelInferRequest.Builder request = request(VALUES.length);
        request.getInputsBuilder(0).setContents(contents);

        assertThat(ProtoCodec.inferenceRequest(request.build(), Long.MAX_VALUE).inputs().getFirst().floats())
                .containsExactly(VALUES);
    }

    @Test
    void inferenceRequest_rawBytesNotMatchingTheShape_isInvalidArgumentSayingBothSizes() {
        ModelInferRequest request = request(VALUES.length + 1).addRawInputContents(littleEndian(VALUES)).build();

        assertInvalid(request, "24 bytes", "28 bytes");
    }

    @Test
    void inferenceRequest_typedValuesNotMatchingTheShape_isInvalidArgument() {
        ModelInferRequest.Builder request = request(2);
        request.getInputsBuilder(0).setContents(InferTensorContents.newBuilder().addFp32Contents(1f));

        assertInvalid(request.build(), "1 values in contents.fp32_contents", "needs 2");
    }

    @Test
    void inferenceRequest_rawEntriesNotOnePerInput_isInvalidArgument() {
        ModelInferRequest request = request(1).addRawInputContents(littleEndian(new float[1]))
                .addRawInputContents(littleEndian(new float[1])).build();

        assertInvalid(request, "2 entries for 1 inputs");
    }

    @Test
    void inferenceRequest_rawAndTypedTogether_isInvalidArgument() {
        ModelInferRequest.Builder request = request(1).addRawInputContents(littleEndian(new float[1]));
        request.getInputsBuilder(0).setContents(InferTensorContents.newBuilder().addFp32Contents(1f));

        assertInvalid(request.build(), "raw_input_contents");
    }

    @Test
    void inferenceRequest_datatypeTheProtocolDoesNotHave_isInvalidArgument() {
        ModelInferRequest.Builder request = request(1).addRawInputContents(ByteString.copyFrom(new byte[8]));
        request.getInputsBuilder(0).setDatatype("FP33");

        assertInvalid(request.build(), "'FP33'", "which the protocol does not have");
    }

    @Test
    void inferenceRequest_bf16_isInvalidArgumentSayingTheServerDoesNotTakeIt() {
        ModelInferRequest.Builder request = request(1).addRawInputContents(ByteString.copyFrom(new byte[2]));
        request.getInputsBuilder(0).setDatatype("BF16");

        assertInvalid(request.build(), "has datatype BF16, which this server does not take");
    }

    @Test
    void inferenceRequest_typedContentsOfEveryKind_areReadIntoRawLittleEndianBytes() throws Exception {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("m")
                .addInputs(typed("b", "BOOL", InferTensorContents.newBuilder().addBoolContents(true)
                        .addBoolContents(false)))
                .addInputs(typed("i8", "INT8", InferTensorContents.newBuilder().addIntContents(-2).addIntContents(127)))
                .addInputs(typed("u16", "UINT16", InferTensorContents.newBuilder().addUintContents(65535)
                        .addUintContents(1)))
                .addInputs(typed("i64", "INT64", InferTensorContents.newBuilder().addInt64Contents(Long.MIN_VALUE)
                        .addInt64Contents(3)))
                .addInputs(typed("f64", "FP64", InferTensorContents.newBuilder().addFp64Contents(0.1)
                        .addFp64Contents(-2)))
                .addInputs(typed("s", "BYTES", InferTensorContents.newBuilder()
                        .addBytesContents(ByteString.copyFromUtf8("é")).addBytesContents(ByteString.EMPTY)))
                .build();

        List<Tensor> inputs = ProtoCodec.inferenceRequest(request, Long.MAX_VALUE).inputs();

        assertThat(inputs.get(0).raw()).containsExactly(1, 0);
        assertThat(inputs.get(1).raw()).containsExactly(-2, 127);
        assertThat(inputs.get(2).raw()).containsExactly(-1, -1, 1, 0);
        assertThat(inputs.get(3).exactLong(0)).isEqualTo(Long.toString(Long.MIN_VALUE));
        assertThat(inputs.get(3).exactLong(1)).isEqualTo("3");
        assertThat(inputs.get(4).number(0)).isEqualTo(0.1);
        assertThat(inputs.get(5).strings()).containsExactly("é", "");
    }

    @Test
    void inferenceRequest_typedIntegerOutOfItsRange_isInvalidArgument() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("m")
                .addInputs(typed("i8", "INT8", InferTensorContents.newBuilder().addIntContents(128).addIntContents(0)))
                .build();

        assertInvalid(request, "input 'i8' has 128 in contents.int_contents, outside INT8's range, -128 to 127");
    }

    @Test
    void inferenceRequest_fp16InTypedContents_isInvalidArgumentSayingToSendItRaw() {
        ModelInferRequest request = ModelInferRequest.newBuilder().setModelName("m")
                .addInputs(typed("h", "FP16", InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2)))
                .build();

        assertInvalid(request, "send it in raw_input_contents");
    }

    /** An input of shape [2] with its values in typed contents. */
    private static InferInputTensor typed(String name, String datatype, InferTensorContents.Builder contents) {
        return InferInputTensor.newBuilder().setName(name).setDatatype(datatype).addShape(2).setContents(contents)
                .build();
    }

    @Test
    void inferenceRequest_negativeDimension_isInvalidArgument() {
        ModelInferRequest.Builder request = request(1);
        request.getInputsBuilder(0).setShape(0, -1);

        assertInvalid(request.build(), "[-1, 1]", ">= 0");
    }

    @Test
    void inferenceRequest_hugeShape_isInvalidArgument() {
        ModelInferRequest.Builder request = request(1);
        request.getInputsBuilder(0).setShape(0, 1L << 40).addShape(1L << 40);

        assertInvalid(request.build(), "too many elements");
    }

    @Test
    void inferenceRequest_classificationParameter_asksForTheTopClasses() throws InferenceException {
        ModelInferRequest request = request(1).addRawInputContents(littleEndian(new float[1]))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits")
                        .putParameters("classification", InferParameter.newBuilder().setInt64Param(3).build()))
                .addOutputs(InferRequestedOutputTensor.newBuilder().setName("other"))
                .build();

        assertThat(ProtoCodec.inferenceRequest(request, Long.MAX_VALUE).outputs())
                .containsExactly(new RequestedOutput("logits", 3), new RequestedOutput("other", 0));
    }

    @Test
    void inferenceRequest_classificationNotAPositiveInteger_isInvalidArgument() {
        for (InferParameter parameter : List.of(InferParameter.newBuilder().setInt64Param(0).build(),
                InferParameter.newBuilder().setStringParam("3").build())) {
            ModelInferRequest request = request(1).addRawInputContents(littleEndian(new float[1]))
                    .addOutputs(InferRequestedOutputTensor.newBuilder().setName("logits")
                            .putParameters("classification", parameter))
                    .build();

            assertInvalid(request, "classification", "int64");
        }
    }

    @Test
    void modelInferResponse_carriesLittleEndianFp32AndNoContents() {
        ModelInferResponse response = ProtoCodec.modelInferResponse(logitsResponse()).build();

        assertThat(response.getModelName()).isEqualTo("m");
        assertThat(response.getModelVersion()).isEqualTo("1");
        assertThat(response.getId()).isEqualTo("id-1");
        assertThat(response.getOutputs(0).getName()).isEqualTo("logits");
        assertThat(response.getOutputs(0).getDatatype()).isEqualTo("FP32");
        assertThat(response.getOutputs(0).getShapeList()).containsExactly(2L, 3L);
        assertThat(response.getOutputs(0).hasContents()).isFalse();
        assertThat(response.getRawOutputContents(0)).isEqualTo(littleEndian(VALUES));
    }

    @Test
    void modelInferResponse_classificationStrings_areLengthPrefixed() {
        InferenceResponse classes = new InferenceResponse("m", "1", "", List.of(Tensor.ofStrings(
                "logits", new long[] {2, 1}, List.of("0.9:3:Dress", "0.8:0:T-shirt/top"))));

        ModelInferResponse raw = ProtoCodec.modelInferResponse(classes).build();

        ByteBuffer bytes = raw.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.getInt()).isEqualTo(11);
        byte[] first = new byte[11];
        bytes.get(first);
        assertThat(new String(first)).isEqualTo("0.9:3:Dress");
        assertThat(bytes.getInt()).isEqualTo(17);
        assertThat(bytes.remaining()).isEqualTo(17);
        assertThat(raw.getOutputs(0).hasContents()).isFalse();
    }

    @Test
    void modelMetadataResponse_carriesTensorsWithVariableBatch() {
        ModelMetadata metadata = new ModelMetadata("m", List.of("2", "1"), "onnxruntime_onnx",
                List.of(ServedTensor.unchanged(new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L)))),
                List.of(ServedTensor.unchanged(new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L)))),
                Optional.of("shallow"), "branches", "branches", Map.of("single", 100.0, "branches", 80.0),
                Optional.of("fork–join region: 4 branches from stem, joined by Sum branches.sum"), 1234, List.of("a"), 64,
                new ModelSettings(1, ModelSettings.Batching.OFF, VersionPolicy.ALL), Optional.empty());

        ModelMetadataResponse response = ProtoCodec.modelMetadataResponse(metadata);

        assertThat(response.getName()).isEqualTo("m");
        assertThat(response.getVersionsList()).containsExactly("2", "1");
        assertThat(response.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(response.getInputs(0).getShapeList()).containsExactly(-1L, 1L, 28L, 28L);
        assertThat(response.getOutputs(0).getName()).isEqualTo("logits");
    }

    @Test
    void modelStatisticsResponse_carriesCountsAndDurations() {
        ModelStatistics statistics = new ModelStatistics("m", "1", 99L, 8, 1, duration(1), duration(2), duration(3),
                duration(4), duration(5), duration(6),
                List.of(new ModelStatistics.Batch(8, duration(7), duration(8), duration(9))), Map.of(), 0);

        ModelStatisticsResponse response = ProtoCodec.modelStatisticsResponse(List.of(statistics));

        io.shallowserve.proto.inference.ModelStatistics model = response.getModelStats(0);
        assertThat(model.getLastInference()).isEqualTo(99L);
        assertThat(model.getInferenceCount()).isEqualTo(8);
        assertThat(model.getExecutionCount()).isEqualTo(1);
        assertThat(model.getInferenceStats().getFail().getCount()).isEqualTo(2);
        assertThat(model.getInferenceStats().getComputeOutput().getNs()).isEqualTo(60);
        assertThat(model.getBatchStatsList()).singleElement().satisfies(batch -> {
            assertThat(batch.getBatchSize()).isEqualTo(8);
            assertThat(batch.getComputeInfer().getCount()).isEqualTo(8);
            assertThat(batch.getComputeOutput().getNs()).isEqualTo(90);
        });
    }

    @Test
    void status_keepsTheKindAndTheMessageOfEveryFailure() {
        for (InferenceException.Status kind : InferenceException.Status.values()) {
            Status status = ProtoCodec.status(new InferenceException(kind, "because " + kind));

            assertThat(status.getCode().name()).isEqualTo(kind.name());
            assertThat(status.getDescription()).isEqualTo("because " + kind);
        }
    }

    @Test
    void status_messageQuotingAnOversizedName_fitsInTheClientsHeaderLimit() {
        String hint = "; the repository index lists the models this server has";
        for (String name : List.of("m".repeat(20_000), "\u6a21\u578b".repeat(2_000), "\ud83d\ude00".repeat(3_000))) {
            String message = "unknown model '" + name + "'" + hint;

            String description = ProtoCodec.status(InferenceException.notFound(message)).getDescription();

            // A C-core client refuses a header block over 8 KiB.
            assertThat(grpcMessageBytes(description)).isLessThan(8 * 1024);
            assertThat(description).startsWith("unknown model '" + name.substring(0, 100)).endsWith("'" + hint)
                    .contains("…");
            assertThat(description.codePoints()).noneMatch(c -> Character.getType(c) == Character.SURROGATE);
        }
    }

    /** The bytes of grpc-message as grpc-java writes it (percent-encoded UTF-8). */
    private static int grpcMessageBytes(String description) {
        Metadata trailers = new Metadata();
        trailers.put(InternalStatus.MESSAGE_KEY, description);
        return InternalMetadata.serialize(trailers)[1].length;
    }

    private static ModelInferRequest.Builder request(long elements) {
        return ModelInferRequest.newBuilder()
                .setModelName("m")
                .addInputs(InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                        .addShape(1).addShape(elements));
    }

    private static ByteString littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return ByteString.copyFrom(bytes.array());
    }

    private static InferenceResponse logitsResponse() {
        return new InferenceResponse("m", "1", "id-1",
                List.of(Tensor.ofFloats("logits", new long[] {2, 3}, VALUES)));
    }

    private static ModelStatistics.Duration duration(long count) {
        return new ModelStatistics.Duration(count, count * 10);
    }

    private static void assertInvalid(ModelInferRequest request, String... messageParts) {
        assertThatThrownBy(() -> ProtoCodec.inferenceRequest(request, Long.MAX_VALUE))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains(messageParts);
                });
    }
}
