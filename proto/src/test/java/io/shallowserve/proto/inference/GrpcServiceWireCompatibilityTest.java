package io.shallowserve.proto.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
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
            inference.ModelStreamInferResponse.error_message = 1 string
            inference.ModelStreamInferResponse.infer_response = 2 inference.ModelInferResponse
            inference.ModelConfigRequest.name = 1 string
            inference.ModelConfigRequest.version = 2 string
            inference.ModelConfigResponse.config = 1 inference.ModelConfig
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
            inference.SystemSharedMemoryStatusRequest.name = 1 string
            inference.SystemSharedMemoryStatusResponse.regions = 1 map<string, inference.SystemSharedMemoryStatusResponse.RegionStatus>
            inference.SystemSharedMemoryStatusResponse.RegionStatus.name = 1 string
            inference.SystemSharedMemoryStatusResponse.RegionStatus.key = 2 string
            inference.SystemSharedMemoryStatusResponse.RegionStatus.offset = 3 uint64
            inference.SystemSharedMemoryStatusResponse.RegionStatus.byte_size = 4 uint64
            inference.SystemSharedMemoryRegisterRequest.name = 1 string
            inference.SystemSharedMemoryRegisterRequest.key = 2 string
            inference.SystemSharedMemoryRegisterRequest.offset = 3 uint64
            inference.SystemSharedMemoryRegisterRequest.byte_size = 4 uint64
            inference.SystemSharedMemoryUnregisterRequest.name = 1 string
            inference.CudaSharedMemoryStatusRequest.name = 1 string
            inference.CudaSharedMemoryStatusResponse.regions = 1 map<string, inference.CudaSharedMemoryStatusResponse.RegionStatus>
            inference.CudaSharedMemoryStatusResponse.RegionStatus.name = 1 string
            inference.CudaSharedMemoryStatusResponse.RegionStatus.device_id = 2 uint64
            inference.CudaSharedMemoryStatusResponse.RegionStatus.byte_size = 3 uint64
            inference.CudaSharedMemoryRegisterRequest.name = 1 string
            inference.CudaSharedMemoryRegisterRequest.raw_handle = 2 bytes
            inference.CudaSharedMemoryRegisterRequest.device_id = 3 int64
            inference.CudaSharedMemoryRegisterRequest.byte_size = 4 uint64
            inference.CudaSharedMemoryUnregisterRequest.name = 1 string
            inference.TraceSettingRequest.settings = 1 map<string, inference.TraceSettingRequest.SettingValue>
            inference.TraceSettingRequest.model_name = 2 string
            inference.TraceSettingRequest.SettingValue.value = 1 repeated string
            inference.TraceSettingResponse.settings = 1 map<string, inference.TraceSettingResponse.SettingValue>
            inference.TraceSettingResponse.SettingValue.value = 1 repeated string
            inference.LogSettingsRequest.settings = 1 map<string, inference.LogSettingsRequest.SettingValue>
            inference.LogSettingsRequest.SettingValue.bool_param = 1 bool (oneof parameter_choice)
            inference.LogSettingsRequest.SettingValue.uint32_param = 2 uint32 (oneof parameter_choice)
            inference.LogSettingsRequest.SettingValue.string_param = 3 string (oneof parameter_choice)
            inference.LogSettingsResponse.settings = 1 map<string, inference.LogSettingsResponse.SettingValue>
            inference.LogSettingsResponse.SettingValue.bool_param = 1 bool (oneof parameter_choice)
            inference.LogSettingsResponse.SettingValue.uint32_param = 2 uint32 (oneof parameter_choice)
            inference.LogSettingsResponse.SettingValue.string_param = 3 string (oneof parameter_choice)
            """;

    /**
     * Every field of model_config.proto's messages, from Triton's model_config.proto: the subset this server fills,
     * each with Triton's number and type.
     */
    private static final String EXPECTED_MODEL_CONFIG_FIELDS = """
            inference.ModelInstanceGroup.name = 1 string
            inference.ModelInstanceGroup.kind = 4 inference.ModelInstanceGroup.Kind
            inference.ModelInstanceGroup.count = 2 int32
            inference.ModelInstanceGroup.gpus = 3 repeated int32
            inference.ModelInput.name = 1 string
            inference.ModelInput.data_type = 2 inference.DataType
            inference.ModelInput.format = 3 inference.ModelInput.Format
            inference.ModelTensorReshape.shape = 1 repeated int64
            inference.ModelInput.dims = 4 repeated int64
            inference.ModelInput.reshape = 5 inference.ModelTensorReshape
            inference.ModelOutput.name = 1 string
            inference.ModelOutput.data_type = 2 inference.DataType
            inference.ModelOutput.dims = 3 repeated int64
            inference.ModelOutput.reshape = 5 inference.ModelTensorReshape
            inference.ModelVersionPolicy.latest = 1 inference.ModelVersionPolicy.Latest (oneof policy_choice)
            inference.ModelVersionPolicy.all = 2 inference.ModelVersionPolicy.All (oneof policy_choice)
            inference.ModelVersionPolicy.specific = 3 inference.ModelVersionPolicy.Specific (oneof policy_choice)
            inference.ModelVersionPolicy.Latest.num_versions = 1 uint32
            inference.ModelVersionPolicy.Specific.versions = 1 repeated int64
            inference.ModelQueuePolicy.timeout_action = 1 inference.ModelQueuePolicy.TimeoutAction
            inference.ModelQueuePolicy.default_timeout_microseconds = 2 uint64
            inference.ModelQueuePolicy.allow_timeout_override = 3 bool
            inference.ModelQueuePolicy.max_queue_size = 4 uint32
            inference.ModelDynamicBatching.preferred_batch_size = 1 repeated int32
            inference.ModelDynamicBatching.max_queue_delay_microseconds = 2 uint64
            inference.ModelDynamicBatching.default_queue_policy = 6 inference.ModelQueuePolicy
            inference.ModelParameter.string_value = 1 string
            inference.ModelWarmup.name = 1 string
            inference.ModelWarmup.batch_size = 2 uint32
            inference.ModelWarmup.inputs = 3 map<string, inference.ModelWarmup.Input>
            inference.ModelWarmup.count = 4 uint32
            inference.ModelWarmup.Input.data_type = 1 inference.DataType
            inference.ModelWarmup.Input.dims = 2 repeated int64
            inference.ModelWarmup.Input.zero_data = 3 bool (oneof input_data_type)
            inference.ModelWarmup.Input.random_data = 4 bool (oneof input_data_type)
            inference.ModelWarmup.Input.input_data_file = 5 string (oneof input_data_type)
            inference.ModelConfig.name = 1 string
            inference.ModelConfig.platform = 2 string
            inference.ModelConfig.backend = 17 string
            inference.ModelConfig.version_policy = 3 inference.ModelVersionPolicy
            inference.ModelConfig.max_batch_size = 4 int32
            inference.ModelConfig.input = 5 repeated inference.ModelInput
            inference.ModelConfig.output = 6 repeated inference.ModelOutput
            inference.ModelConfig.dynamic_batching = 11 inference.ModelDynamicBatching (oneof scheduling_choice)
            inference.ModelConfig.instance_group = 7 repeated inference.ModelInstanceGroup
            inference.ModelConfig.parameters = 14 map<string, inference.ModelParameter>
            inference.ModelConfig.model_warmup = 16 repeated inference.ModelWarmup
            """;

    /** The enums of model_config.proto with every value and number of Triton's. */
    private static final String EXPECTED_MODEL_CONFIG_ENUMS = """
            inference.DataType: TYPE_INVALID=0 TYPE_BOOL=1 TYPE_UINT8=2 TYPE_UINT16=3 TYPE_UINT32=4 TYPE_UINT64=5 \
            TYPE_INT8=6 TYPE_INT16=7 TYPE_INT32=8 TYPE_INT64=9 TYPE_FP16=10 TYPE_FP32=11 TYPE_FP64=12 TYPE_STRING=13 \
            TYPE_BF16=14
            inference.ModelInstanceGroup.Kind: KIND_AUTO=0 KIND_GPU=1 KIND_CPU=2 KIND_MODEL=3
            inference.ModelInput.Format: FORMAT_NONE=0 FORMAT_NHWC=1 FORMAT_NCHW=2
            inference.ModelQueuePolicy.TimeoutAction: REJECT=0 DELAY=1
            """;

    /** The service's methods, in Triton's order: all of Triton's service. */
    private static final List<String> EXPECTED_METHODS = List.of(
            "ServerLive(inference.ServerLiveRequest) returns (inference.ServerLiveResponse)",
            "ServerReady(inference.ServerReadyRequest) returns (inference.ServerReadyResponse)",
            "ModelReady(inference.ModelReadyRequest) returns (inference.ModelReadyResponse)",
            "ServerMetadata(inference.ServerMetadataRequest) returns (inference.ServerMetadataResponse)",
            "ModelMetadata(inference.ModelMetadataRequest) returns (inference.ModelMetadataResponse)",
            "ModelInfer(inference.ModelInferRequest) returns (inference.ModelInferResponse)",
            "ModelStreamInfer(stream inference.ModelInferRequest) returns (stream inference.ModelStreamInferResponse)",
            "ModelConfig(inference.ModelConfigRequest) returns (inference.ModelConfigResponse)",
            "ModelStatistics(inference.ModelStatisticsRequest) returns (inference.ModelStatisticsResponse)",
            "RepositoryIndex(inference.RepositoryIndexRequest) returns (inference.RepositoryIndexResponse)",
            "RepositoryModelLoad(inference.RepositoryModelLoadRequest) returns (inference.RepositoryModelLoadResponse)",
            "RepositoryModelUnload(inference.RepositoryModelUnloadRequest) returns (inference.RepositoryModelUnloadResponse)",
            "SystemSharedMemoryStatus(inference.SystemSharedMemoryStatusRequest) returns (inference.SystemSharedMemoryStatusResponse)",
            "SystemSharedMemoryRegister(inference.SystemSharedMemoryRegisterRequest) returns (inference.SystemSharedMemoryRegisterResponse)",
            "SystemSharedMemoryUnregister(inference.SystemSharedMemoryUnregisterRequest) returns (inference.SystemSharedMemoryUnregisterResponse)",
            "CudaSharedMemoryStatus(inference.CudaSharedMemoryStatusRequest) returns (inference.CudaSharedMemoryStatusResponse)",
            "CudaSharedMemoryRegister(inference.CudaSharedMemoryRegisterRequest) returns (inference.CudaSharedMemoryRegisterResponse)",
            "CudaSharedMemoryUnregister(inference.CudaSharedMemoryUnregisterRequest) returns (inference.CudaSharedMemoryUnregisterResponse)",
            "TraceSetting(inference.TraceSettingRequest) returns (inference.TraceSettingResponse)",
            "LogSettings(inference.LogSettingsRequest) returns (inference.LogSettingsResponse)");

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
                "RepositoryModelLoadResponse", "RepositoryModelUnloadResponse", "SystemSharedMemoryRegisterResponse",
                "SystemSharedMemoryUnregisterResponse", "CudaSharedMemoryRegisterResponse",
                "CudaSharedMemoryUnregisterResponse")) {
            Descriptor message = FILE.findMessageTypeByName(name);
            assertThat(message).as(name).isNotNull();
            assertThat(message.getFields()).as(name).isEmpty();
        }
    }

    @Test
    void modelConfigMessages_matchTritonNamesNumbersAndTypes() {
        FileDescriptor modelConfig = ModelConfigProto.getDescriptor();
        assertThat(modelConfig.getPackage()).isEqualTo("inference");
        assertThat(FILE.getDependencies()).containsExactly(modelConfig);
        List<String> actual = new ArrayList<>();
        for (Descriptor message : modelConfig.getMessageTypes()) {
            describeFields(message, actual);
        }
        assertThat(actual).containsExactlyInAnyOrderElementsOf(EXPECTED_MODEL_CONFIG_FIELDS.lines().toList());
        assertThat(ModelVersionPolicy.All.getDescriptor().getFields()).isEmpty();
    }

    @Test
    void modelConfigEnums_haveEveryTritonValue() {
        List<EnumDescriptor> enums = new ArrayList<>(ModelConfigProto.getDescriptor().getEnumTypes());
        enums.add(ModelInstanceGroup.Kind.getDescriptor());
        enums.add(ModelInput.Format.getDescriptor());
        enums.add(ModelQueuePolicy.TimeoutAction.getDescriptor());
        List<String> actual = enums.stream()
                .map(e -> e.getFullName() + ": " + String.join(" ", e.getValues().stream()
                        .map(v -> v.getName() + "=" + v.getNumber()).toList()))
                .toList();
        assertThat(actual).containsExactlyElementsOf(EXPECTED_MODEL_CONFIG_ENUMS.lines().toList());
    }

    @Test
    void modelConfig_dimsEncodeAsPackedVarints() throws Exception {
        // What Triton's C++ server writes for input {name "x", data_type TYPE_FP32, dims [1, 28]}: tag (1 << 3 | 2)
        // length 1 'x'; tag (2 << 3 | 0) = 0x10, 11; dims packed: tag (4 << 3 | 2) = 0x22, length 2, 1, 28.
        byte[] tritonBytes = {0x0A, 0x01, 'x', 0x10, 11, 0x22, 0x02, 1, 28};

        ModelInput parsed = ModelInput.parseFrom(tritonBytes);

        assertThat(parsed.getName()).isEqualTo("x");
        assertThat(parsed.getDataType()).isEqualTo(DataType.TYPE_FP32);
        assertThat(parsed.getDimsList()).containsExactly(1L, 28L);
        assertThat(parsed.getUnknownFields().asMap()).isEmpty();
        assertThat(parsed.toByteArray()).containsExactly(tritonBytes);
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
            methods.add(method.getName() + "(" + (method.isClientStreaming() ? "stream " : "")
                    + method.getInputType().getFullName() + ") returns ("
                    + (method.isServerStreaming() ? "stream " : "") + method.getOutputType().getFullName() + ")");
        }
        assertThat(methods).containsExactlyElementsOf(EXPECTED_METHODS);
    }

    @Test
    void grpcStub_usesTritonMethodPaths() {
        assertThat(GRPCInferenceServiceGrpc.SERVICE_NAME).isEqualTo("inference.GRPCInferenceService");
        List<String> paths = GRPCInferenceServiceGrpc.getServiceDescriptor().getMethods().stream()
                .peek(m -> assertThat(m.getType()).as(m.getFullMethodName()).isEqualTo(
                        m.getBareMethodName().equals("ModelStreamInfer") ? MethodType.BIDI_STREAMING : MethodType.UNARY))
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
