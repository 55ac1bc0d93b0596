package io.shallowserve.proto.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wire-compatibility facts of the Open Inference Protocol (KServe v2 / Triton) that a harmless-looking
 * edit of grpc_service.proto could silently break: existing clients would still connect but send or read
 * the wrong fields. The expected values below are written from the published KServe/Triton definitions,
 * not from our own .proto.
 */
class GrpcServiceWireCompatibilityTest {

    private static final FileDescriptor FILE = GrpcService.getDescriptor();

    /** Every field of every message: full name = number, type (oneof), from Triton's grpc_service.proto. */
    private static final String EXPECTED_FIELDS = """
            inference.ServerLiveResponse.live = 1 bool
            inference.ServerReadyResponse.ready = 1 bool
            inference.ModelReadyRequest.name = 1 string
            inference.ModelReadyRequest.version = 2 string
            inference.ModelReadyResponse.ready = 1 bool
            inference.ServerMetadataResponse.name = 1 string
            inference.ServerMetadataResponse.version = 2 string
            inference.ServerMetadataResponse.extensions = 3 repeated string
            inference.ModelMetadataRequest.name = 1 string
            inference.ModelMetadataRequest.version = 2 string
            inference.ModelMetadataResponse.name = 1 string
            inference.ModelMetadataResponse.versions = 2 repeated string
            inference.ModelMetadataResponse.platform = 3 string
            inference.ModelMetadataResponse.inputs = 4 repeated inference.ModelMetadataResponse.TensorMetadata
            inference.ModelMetadataResponse.outputs = 5 repeated inference.ModelMetadataResponse.TensorMetadata
            inference.ModelMetadataResponse.TensorMetadata.name = 1 string
            inference.ModelMetadataResponse.TensorMetadata.datatype = 2 string
            inference.ModelMetadataResponse.TensorMetadata.shape = 3 repeated int64
            inference.InferParameter.bool_param = 1 bool (oneof parameter_choice)
            inference.InferParameter.int64_param = 2 int64 (oneof parameter_choice)
            inference.InferParameter.string_param = 3 string (oneof parameter_choice)
            inference.InferParameter.double_param = 4 double (oneof parameter_choice)
            inference.InferParameter.uint64_param = 5 uint64 (oneof parameter_choice)
            inference.InferTensorContents.bool_contents = 1 repeated bool
            inference.InferTensorContents.int_contents = 2 repeated int32
            inference.InferTensorContents.int64_contents = 3 repeated int64
            inference.InferTensorContents.uint_contents = 4 repeated uint32
            inference.InferTensorContents.uint64_contents = 5 repeated uint64
            inference.InferTensorContents.fp32_contents = 6 repeated float
            inference.InferTensorContents.fp64_contents = 7 repeated double
            inference.InferTensorContents.bytes_contents = 8 repeated bytes
            inference.ModelInferRequest.model_name = 1 string
            inference.ModelInferRequest.model_version = 2 string
            inference.ModelInferRequest.id = 3 string
            inference.ModelInferRequest.parameters = 4 map<string, inference.InferParameter>
            inference.ModelInferRequest.inputs = 5 repeated inference.ModelInferRequest.InferInputTensor
            inference.ModelInferRequest.outputs = 6 repeated inference.ModelInferRequest.InferRequestedOutputTensor
            inference.ModelInferRequest.raw_input_contents = 7 repeated bytes
            inference.ModelInferRequest.InferInputTensor.name = 1 string
            inference.ModelInferRequest.InferInputTensor.datatype = 2 string
            inference.ModelInferRequest.InferInputTensor.shape = 3 repeated int64
            inference.ModelInferRequest.InferInputTensor.parameters = 4 map<string, inference.InferParameter>
            inference.ModelInferRequest.InferInputTensor.contents = 5 inference.InferTensorContents
            inference.ModelInferRequest.InferRequestedOutputTensor.name = 1 string
            inference.ModelInferRequest.InferRequestedOutputTensor.parameters = 2 map<string, inference.InferParameter>
            inference.ModelInferResponse.model_name = 1 string
            inference.ModelInferResponse.model_version = 2 string
            inference.ModelInferResponse.id = 3 string
            inference.ModelInferResponse.parameters = 4 map<string, inference.InferParameter>
            inference.ModelInferResponse.outputs = 5 repeated inference.ModelInferResponse.InferOutputTensor
            inference.ModelInferResponse.raw_output_contents = 6 repeated bytes
            inference.ModelInferResponse.InferOutputTensor.name = 1 string
            inference.ModelInferResponse.InferOutputTensor.datatype = 2 string
            inference.ModelInferResponse.InferOutputTensor.shape = 3 repeated int64
            inference.ModelInferResponse.InferOutputTensor.parameters = 4 map<string, inference.InferParameter>
            inference.ModelInferResponse.InferOutputTensor.contents = 5 inference.InferTensorContents
            inference.ModelStatisticsRequest.name = 1 string
            inference.ModelStatisticsRequest.version = 2 string
            inference.StatisticDuration.count = 1 uint64
            inference.StatisticDuration.ns = 2 uint64
            inference.InferStatistics.success = 1 inference.StatisticDuration
            inference.InferStatistics.fail = 2 inference.StatisticDuration
            inference.InferStatistics.queue = 3 inference.StatisticDuration
            inference.InferStatistics.compute_input = 4 inference.StatisticDuration
            inference.InferStatistics.compute_infer = 5 inference.StatisticDuration
            inference.InferStatistics.compute_output = 6 inference.StatisticDuration
            inference.InferStatistics.cache_hit = 7 inference.StatisticDuration
            inference.InferStatistics.cache_miss = 8 inference.StatisticDuration
            inference.InferResponseStatistics.compute_infer = 1 inference.StatisticDuration
            inference.InferResponseStatistics.compute_output = 2 inference.StatisticDuration
            inference.InferResponseStatistics.success = 3 inference.StatisticDuration
            inference.InferResponseStatistics.fail = 4 inference.StatisticDuration
            inference.InferResponseStatistics.empty_response = 5 inference.StatisticDuration
            inference.InferResponseStatistics.cancel = 6 inference.StatisticDuration
            inference.InferBatchStatistics.batch_size = 1 uint64
            inference.InferBatchStatistics.compute_input = 2 inference.StatisticDuration
            inference.InferBatchStatistics.compute_infer = 3 inference.StatisticDuration
            inference.InferBatchStatistics.compute_output = 4 inference.StatisticDuration
            inference.MemoryUsage.type = 1 string
            inference.MemoryUsage.id = 2 int64
            inference.MemoryUsage.byte_size = 3 uint64
            inference.ModelStatistics.name = 1 string
            inference.ModelStatistics.version = 2 string
            inference.ModelStatistics.last_inference = 3 uint64
            inference.ModelStatistics.inference_count = 4 uint64
            inference.ModelStatistics.execution_count = 5 uint64
            inference.ModelStatistics.inference_stats = 6 inference.InferStatistics
            inference.ModelStatistics.batch_stats = 7 repeated inference.InferBatchStatistics
            inference.ModelStatistics.memory_usage = 8 repeated inference.MemoryUsage
            inference.ModelStatistics.response_stats = 9 map<string, inference.InferResponseStatistics>
            inference.ModelStatisticsResponse.model_stats = 1 repeated inference.ModelStatistics
            inference.ModelRepositoryParameter.bool_param = 1 bool (oneof parameter_choice)
            inference.ModelRepositoryParameter.int64_param = 2 int64 (oneof parameter_choice)
            inference.ModelRepositoryParameter.string_param = 3 string (oneof parameter_choice)
            inference.ModelRepositoryParameter.bytes_param = 4 bytes (oneof parameter_choice)
            inference.RepositoryIndexRequest.repository_name = 1 string
            inference.RepositoryIndexRequest.ready = 2 bool
            inference.RepositoryIndexResponse.models = 1 repeated inference.RepositoryIndexResponse.ModelIndex
            inference.RepositoryIndexResponse.ModelIndex.name = 1 string
            inference.RepositoryIndexResponse.ModelIndex.version = 2 string
            inference.RepositoryIndexResponse.ModelIndex.state = 3 string
            inference.RepositoryIndexResponse.ModelIndex.reason = 4 string
            inference.RepositoryModelLoadRequest.repository_name = 1 string
            inference.RepositoryModelLoadRequest.model_name = 2 string
            inference.RepositoryModelLoadRequest.parameters = 3 map<string, inference.ModelRepositoryParameter>
            inference.RepositoryModelUnloadRequest.repository_name = 1 string
            inference.RepositoryModelUnloadRequest.model_name = 2 string
            inference.RepositoryModelUnloadRequest.parameters = 3 map<string, inference.ModelRepositoryParameter>
            """;

    /** The service's methods, as Triton declares them (a subset of Triton's service; all unary). */
    private static final List<String> EXPECTED_METHODS = List.of(
            "ServerLive(inference.ServerLiveRequest) returns (inference.ServerLiveResponse)",
            "ServerReady(inference.ServerReadyRequest) returns (inference.ServerReadyResponse)",
            "ModelReady(inference.ModelReadyRequest) returns (inference.ModelReadyResponse)",
            "ServerMetadata(inference.ServerMetadataRequest) returns (inference.ServerMetadataResponse)",
            "ModelMetadata(inference.ModelMetadataRequest) returns (inference.ModelMetadataResponse)",
            "ModelInfer(inference.ModelInferRequest) returns (inference.ModelInferResponse)",
            "ModelStatistics(inference.ModelStatisticsRequest) returns (inference.ModelStatisticsResponse)",
            "RepositoryIndex(inference.RepositoryIndexRequest) returns (inference.RepositoryIndexResponse)",
            "RepositoryModelLoad(inference.RepositoryModelLoadRequest) returns (inference.RepositoryModelLoadResponse)",
            "RepositoryModelUnload(inference.RepositoryModelUnloadRequest) returns (inference.RepositoryModelUnloadResponse)");

    @Test
    void fileDescriptor_declaresProto3PackageInference() {
        assertThat(FILE.getPackage()).isEqualTo("inference");
        assertThat(FILE.toProto().getSyntax()).isEqualTo("proto3");
    }

    @Test
    void messageFields_matchTritonNamesNumbersAndTypes() {
        List<String> actual = new ArrayList<>();
        for (Descriptor message : FILE.getMessageTypes()) {
            describeFields(message, actual);
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(EXPECTED_FIELDS.lines().toList());
    }

    @Test
    void fieldlessMessages_existUnderTritonNames() {
        for (String name : List.of("ServerLiveRequest", "ServerReadyRequest", "ServerMetadataRequest",
                "RepositoryModelLoadResponse", "RepositoryModelUnloadResponse")) {
            Descriptor message = FILE.findMessageTypeByName(name);
            assertThat(message).as(name).isNotNull();
            assertThat(message.getFields()).as(name).isEmpty();
        }
    }

    @Test
    void rawInputContents_isRepeatedBytesField7() {
        FieldDescriptor field = ModelInferRequest.getDescriptor().findFieldByName("raw_input_contents");
        assertThat(field.getNumber()).isEqualTo(7).isEqualTo(ModelInferRequest.RAW_INPUT_CONTENTS_FIELD_NUMBER);
        assertThat(field.getType()).isEqualTo(FieldDescriptor.Type.BYTES);
        assertThat(field.isRepeated()).isTrue();
    }

    @Test
    void rawOutputContents_isRepeatedBytesField6() {
        FieldDescriptor field = ModelInferResponse.getDescriptor().findFieldByName("raw_output_contents");
        assertThat(field.getNumber()).isEqualTo(6).isEqualTo(ModelInferResponse.RAW_OUTPUT_CONTENTS_FIELD_NUMBER);
        assertThat(field.getType()).isEqualTo(FieldDescriptor.Type.BYTES);
        assertThat(field.isRepeated()).isTrue();
    }

    @Test
    void service_matchesTritonNameAndMethods() {
        ServiceDescriptor service = FILE.findServiceByName("GRPCInferenceService");
        assertThat(service.getFullName()).isEqualTo("inference.GRPCInferenceService");
        List<String> methods = new ArrayList<>();
        for (MethodDescriptor method : service.getMethods()) {
            assertThat(method.isClientStreaming() || method.isServerStreaming()).as(method.getName()).isFalse();
            methods.add(method.getName() + "(" + method.getInputType().getFullName() + ") returns ("
                    + method.getOutputType().getFullName() + ")");
        }
        assertThat(methods).containsExactlyElementsOf(EXPECTED_METHODS);
    }

    @Test
    void grpcStub_usesTritonMethodPaths() {
        assertThat(GRPCInferenceServiceGrpc.SERVICE_NAME).isEqualTo("inference.GRPCInferenceService");
        List<String> paths = GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods().stream()
                .peek(m -> assertThat(m.getType()).isEqualTo(MethodType.UNARY))
                .map(io.grpc.MethodDescriptor::getFullMethodName)
                .toList();
        assertThat(paths).containsExactlyInAnyOrderElementsOf(EXPECTED_METHODS.stream()
                .map(m -> "inference.GRPCInferenceService/" + m.substring(0, m.indexOf('(')))
                .toList());
        assertThat(GRPCInferenceServiceGrpc.getModelInferMethod().getFullMethodName())
                .isEqualTo("inference.GRPCInferenceService/ModelInfer");
    }

    @Test
    void modelInferRequest_roundTripsRawContentsThroughBytes() throws Exception {
        ByteString image = littleEndianFloats(0.5f, -1.25f, 3.0f, 7.75f);
        ByteString ids = ByteString.copyFrom(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(42L).putLong(-7L).array());
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName("resnet-shallow")
                .setModelVersion("1")
                .setId("req-17")
                .putParameters("priority", InferParameter.newBuilder().setInt64Param(3).build())
                .putParameters("threshold", InferParameter.newBuilder().setDoubleParam(0.25).build())
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName("input").setDatatype("FP32").addShape(1).addShape(4))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName("ids").setDatatype("INT64").addShape(2)
                        .putParameters("binary_data", InferParameter.newBuilder().setBoolParam(true).build()))
                .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits"))
                .addRawInputContents(image)
                .addRawInputContents(ids)
                .build();

        byte[] wire = request.toByteArray();
        ModelInferRequest parsed = ModelInferRequest.parseFrom(wire);

        assertThat(parsed).isEqualTo(request);
        assertThat(parsed.getRawInputContentsList()).containsExactly(image, ids);
        assertThat(parsed.getRawInputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
                .getFloat(4)).isEqualTo(-1.25f);
        assertThat(parsed.getParametersOrThrow("threshold").getParameterChoiceCase())
                .isEqualTo(InferParameter.ParameterChoiceCase.DOUBLE_PARAM);
        assertThat(parsed.getInputs(1).getParametersOrThrow("binary_data").getBoolParam()).isTrue();

        // The same bytes through the marshaller the gRPC stub uses on the wire.
        var method = GRPCInferenceServiceGrpc.getModelInferMethod();
        try (InputStream stream = method.streamRequest(request)) {
            assertThat(method.parseRequest(stream)).isEqualTo(request);
        }
    }

    @Test
    void modelInferResponse_roundTripsRawContentsThroughGrpcMarshaller() throws Exception {
        ModelInferResponse response = ModelInferResponse.newBuilder()
                .setModelName("resnet-shallow")
                .setModelVersion("1")
                .setId("req-17")
                .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder()
                        .setName("logits").setDatatype("FP32").addShape(1).addShape(2))
                .addRawOutputContents(littleEndianFloats(0.1f, 0.9f))
                .build();

        var method = GRPCInferenceServiceGrpc.getModelInferMethod();
        try (InputStream stream = method.streamResponse(response)) {
            assertThat(method.parseResponse(stream)).isEqualTo(response);
        }
    }

    @Test
    void rawInputContents_encodesAsTag7LengthDelimited() throws Exception {
        // What any protobuf client writes for model_name "m" and one raw input {1, 2, 3}:
        // tag (1 << 3 | 2) = 0x0A, length 1, 'm'; tag (7 << 3 | 2) = 0x3A, length 3, bytes.
        byte[] clientBytes = {0x0A, 0x01, 'm', 0x3A, 0x03, 1, 2, 3};

        ModelInferRequest parsed = ModelInferRequest.parseFrom(clientBytes);

        assertThat(parsed.getModelName()).isEqualTo("m");
        assertThat(parsed.getRawInputContentsList()).containsExactly(ByteString.copyFrom(new byte[] {1, 2, 3}));
        assertThat(parsed.getUnknownFields().asMap()).isEmpty();
        assertThat(parsed.toByteArray()).containsExactly(clientBytes);
    }

    @Test
    void rawOutputContents_encodesAsTag6LengthDelimited() {
        ModelInferResponse response = ModelInferResponse.newBuilder()
                .addRawOutputContents(ByteString.copyFrom(new byte[] {9, 8}))
                .build();

        // tag (6 << 3 | 2) = 0x32, length 2, bytes: what Triton/KServe clients read as raw_output_contents.
        assertThat(response.toByteArray()).containsExactly(0x32, 0x02, 9, 8);
    }

    private static void describeFields(Descriptor message, List<String> out) {
        if (message.getOptions().getMapEntry()) {
            return; // synthetic map entry: described through its map field
        }
        for (FieldDescriptor field : message.getFields()) {
            String type;
            if (field.isMapField()) {
                Descriptor entry = field.getMessageType();
                type = "map<" + typeName(entry.findFieldByNumber(1)) + ", " + typeName(entry.findFieldByNumber(2)) + ">";
            } else {
                type = (field.isRepeated() ? "repeated " : "") + typeName(field);
            }
            String oneof = field.getRealContainingOneof() == null
                    ? ""
                    : " (oneof " + field.getRealContainingOneof().getName() + ")";
            out.add(field.getFullName() + " = " + field.getNumber() + " " + type + oneof);
        }
        for (Descriptor nested : message.getNestedTypes()) {
            describeFields(nested, out);
        }
    }

    private static String typeName(FieldDescriptor field) {
        return switch (field.getType()) {
            case MESSAGE, GROUP -> field.getMessageType().getFullName();
            case ENUM -> field.getEnumType().getFullName();
            default -> field.getType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static ByteString littleEndianFloats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return ByteString.copyFrom(buffer.array());
    }
}
