package io.shallowserve.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.TextFormat;
import io.shallowserve.proto.inference.DataType;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelInput;
import io.shallowserve.proto.inference.ModelInstanceGroup;
import io.shallowserve.proto.inference.ModelQueuePolicy;
import io.shallowserve.proto.inference.ModelWarmup;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.ModelMetadata;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelConfigurationTest {

    @Test
    void of_batchingModelOnCpu_describesItAsTritonDoes() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(2,
                new ModelSettings.Batching(true, 500, List.of(4, 8)), VersionPolicy.parse("latest:2"))), -1);

        assertThat(config.getName()).isEqualTo("m");
        assertThat(config.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(config.getBackend()).isEqualTo("onnxruntime");
        assertThat(config.getMaxBatchSize()).isEqualTo(64);
        assertThat(config.getVersionPolicy().getLatest().getNumVersions()).isEqualTo(2);
        ModelInput input = config.getInput(0);
        assertThat(input.getName()).isEqualTo("input");
        assertThat(input.getDataType()).isEqualTo(DataType.TYPE_FP32);
        assertThat(input.getFormat()).isEqualTo(ModelInput.Format.FORMAT_NCHW);
        assertThat(input.getDimsList()).as("without the batch dimension, max_batch_size being > 0")
                .containsExactly(1L, 28L, 28L);
        assertThat(config.getOutput(0).getDimsList()).containsExactly(10L);
        assertThat(config.getDynamicBatching().getMaxQueueDelayMicroseconds()).isEqualTo(500);
        assertThat(config.getDynamicBatching().getPreferredBatchSizeList()).containsExactly(4, 8);
        assertThat(config.getInstanceGroupList()).singleElement().satisfies(group -> {
            assertThat(group.getName()).isEqualTo("m_0");
            assertThat(group.getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
            assertThat(group.getCount()).isEqualTo(2);
            assertThat(group.getGpusList()).isEmpty();
        });
        assertThat(config.getParametersMap()).isEmpty();
    }

    @Test
    void of_batchingOff_setsNoScheduler() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(1, ModelSettings.Batching.OFF,
                VersionPolicy.ALL)), -1);

        assertThat(config.hasDynamicBatching()).isFalse();
        assertThat(config.getSchedulingChoiceCase()).isEqualTo(ModelConfig.SchedulingChoiceCase.SCHEDULINGCHOICE_NOT_SET);
        assertThat(config.getVersionPolicy().hasAll()).isTrue();
    }

    @Test
    void of_onCuda_namesTheGpu() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(3, ModelSettings.Batching.OFF,
                VersionPolicy.parse("specific:1,3"))), 0);

        assertThat(config.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_GPU);
        assertThat(config.getInstanceGroup(0).getGpusList()).containsExactly(0);
        assertThat(config.getInstanceGroup(0).getCount()).isEqualTo(3);
        assertThat(config.getVersionPolicy().getSpecific().getVersionsList()).containsExactly(1L, 3L);
    }

    @Test
    void json_isTritonsFormWith64BitIntegersAsNumbers() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(2,
                new ModelSettings.Batching(true, 500, List.of(4, 8)), VersionPolicy.parse("specific:1,3"))), -1);

        String json = new String(ModelConfiguration.json(config), StandardCharsets.UTF_8);

        // As Triton's HTTP server writes a configuration (protobuf's JSON mapping, proto field names, fields
        // without presence printed, in field-number order; int64 and uint64 unquoted).
        assertThat(json).isEqualTo("{\"name\":\"m\",\"platform\":\"onnxruntime_onnx\","
                + "\"version_policy\":{\"specific\":{\"versions\":[1,3]}},\"max_batch_size\":64,"
                + "\"input\":[{\"name\":\"input\",\"data_type\":\"TYPE_FP32\",\"format\":\"FORMAT_NCHW\","
                + "\"dims\":[1,28,28]}],"
                + "\"output\":[{\"name\":\"logits\",\"data_type\":\"TYPE_FP32\",\"dims\":[10]}],"
                + "\"instance_group\":[{\"name\":\"m_0\",\"count\":2,\"gpus\":[],\"kind\":\"KIND_CPU\"}],"
                + "\"dynamic_batching\":{\"preferred_batch_size\":[4,8],\"max_queue_delay_microseconds\":500},"
                + "\"parameters\":{},\"model_warmup\":[],\"backend\":\"onnxruntime\"}");
    }

    @Test
    void json_batchingOff_hasNoDynamicBatching() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(1, ModelSettings.Batching.OFF,
                VersionPolicy.ALL)), -1);

        JsonObject json = JsonParser.parseString(new String(ModelConfiguration.json(config),
                StandardCharsets.UTF_8)).getAsJsonObject();

        // perf_analyzer takes the model for dynamically batched when the member exists at all.
        assertThat(json.has("dynamic_batching")).isFalse();
        assertThat(json.getAsJsonObject("version_policy").toString()).isEqualTo("{\"all\":{}}");
    }

    @Test
    void of_batchOnlyTensors_areDimsOneWithAnEmptyReshapeAsTritonsAutoCompleteWritesThem() {
        ModelConfig config = ModelConfiguration.of(batchOnlyMetadata(), -1);

        assertThat(config.getInput(0).getDimsList()).containsExactly(1L);
        assertThat(config.getInput(0).hasReshape()).isTrue();
        assertThat(config.getInput(0).getReshape().getShapeList()).isEmpty();
        assertThat(config.getOutput(0).getDimsList()).containsExactly(1L);
        assertThat(config.getOutput(0).getReshape().getShapeList()).isEmpty();
        String json = new String(ModelConfiguration.json(config), StandardCharsets.UTF_8);
        assertThat(json).contains("\"input\":[{\"name\":\"x\",\"data_type\":\"TYPE_FP32\",\"format\":\"FORMAT_NONE\","
                + "\"dims\":[1],\"reshape\":{\"shape\":[]}}]");
        assertThat(json).contains("\"output\":[{\"name\":\"y\",\"data_type\":\"TYPE_INT64\",\"dims\":[1],"
                + "\"reshape\":{\"shape\":[]}}]");
    }

    @Test
    void of_withoutReshape_hasNoReshapeField() {
        ModelConfig config = ModelConfiguration.of(metadata(new ModelSettings(1, ModelSettings.Batching.OFF,
                VersionPolicy.ALL)), -1);

        assertThat(config.getInput(0).hasReshape()).isFalse();
        assertThat(new String(ModelConfiguration.json(config), StandardCharsets.UTF_8)).doesNotContain("reshape");
    }

    @Test
    void of_modelWithoutBatch_keepsEveryDimension() {
        ModelMetadata metadata = new ModelMetadata("m", List.of("1"), "onnxruntime_onnx",
                List.of(ServedTensor.unchanged(new TensorSpec("v", Datatype.FP32, List.of(-1L, 3L)))),
                List.of(ServedTensor.unchanged(new TensorSpec("n", Datatype.FP32, List.of(3L)))),
                Optional.empty(), "single", "single 1t", Map.of(), Optional.empty(), 0, List.of(), 0,
                new ModelSettings(1, ModelSettings.Batching.OFF, VersionPolicy.ALL), Optional.empty());

        ModelConfig config = ModelConfiguration.of(metadata, -1);

        assertThat(config.getMaxBatchSize()).isZero();
        assertThat(config.getInput(0).getDimsList()).as("max_batch_size 0: the first dimension is no batch")
                .containsExactly(-1L, 3L);
        assertThat(config.getOutput(0).getDimsList()).containsExactly(3L);
    }

    @Test
    void of_tritonConfiguration_reportsTheQueuePolicyParametersAndWarmUpSamplesItApplies() throws Exception {
        ModelConfig file = TextFormat.parse("""
                max_batch_size: 8
                dynamic_batching { default_queue_policy { max_queue_size: 3 default_timeout_microseconds: 5000 } }
                parameters { key: "intra_op_thread_count" value: { string_value: "2" } }
                parameters { key: "shallowserve.plan" value: { string_value: "wide" } }
                model_warmup [ { name: "zeros" batch_size: 2 inputs { key: "input"
                  value: { data_type: TYPE_FP32 dims: [ 1, 28, 28 ] zero_data: true } } } ]
                """, ModelConfig.class);
        TritonModelConfig configuration = TritonModelConfig.of("m", file, List.of(), new ModelSettings(1,
                ModelSettings.Batching.OFF, VersionPolicy.ALL), 64, -1);

        ModelConfig config = ModelConfiguration.of(metadata(configuration.settings(), Optional.of(configuration)), -1);

        assertThat(config.getDynamicBatching().getDefaultQueuePolicy()).isEqualTo(ModelQueuePolicy.newBuilder()
                .setMaxQueueSize(3).setDefaultTimeoutMicroseconds(5000).build());
        assertThat(config.getParametersMap()).containsOnlyKeys("intra_op_thread_count", "shallowserve.plan");
        assertThat(config.getParametersMap().get("intra_op_thread_count").getStringValue()).isEqualTo("2");
        assertThat(config.getParametersMap().get("shallowserve.plan").getStringValue()).isEqualTo("wide");
        assertThat(config.getModelWarmupList()).containsExactly(ModelWarmup.newBuilder().setName("zeros")
                .setBatchSize(2).setCount(1).putInputs("input", ModelWarmup.Input.newBuilder()
                        .setDataType(DataType.TYPE_FP32).addAllDims(List.of(1L, 28L, 28L)).setZeroData(true).build())
                .build());
        String json = new String(ModelConfiguration.json(config), StandardCharsets.UTF_8);
        assertThat(json).contains("\"default_queue_policy\":{\"timeout_action\":\"REJECT\","
                + "\"default_timeout_microseconds\":5000,\"allow_timeout_override\":false,\"max_queue_size\":3}")
                .contains("\"model_warmup\":[{\"name\":\"zeros\",\"batch_size\":2,\"inputs\":{\"input\":"
                        + "{\"data_type\":\"TYPE_FP32\",\"dims\":[1,28,28],\"zero_data\":true}},\"count\":1}]");
    }

    static ModelMetadata metadata(ModelSettings serving) {
        return metadata(serving, Optional.empty());
    }

    static ModelMetadata metadata(ModelSettings serving, Optional<TritonModelConfig> configuration) {
        return new ModelMetadata("m", List.of("1"), "onnxruntime_onnx",
                List.of(ServedTensor.unchanged(new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L)))),
                List.of(ServedTensor.unchanged(new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L)))),
                Optional.of("deep"), "single", "single 1t", Map.of(), Optional.empty(), 1234, List.of("a"), 64,
                serving, configuration);
    }

    /** A graph of x FP32 [-1] to y INT64 [-1], no configuration, max_batch_size 8: as auto-complete serves it. */
    static ModelMetadata batchOnlyMetadata() {
        return new ModelMetadata("m", List.of("1"), "onnxruntime_onnx",
                List.of(ServedTensor.autoCompleted(new TensorSpec("x", Datatype.FP32, List.of(-1L)), true)),
                List.of(ServedTensor.autoCompleted(new TensorSpec("y", Datatype.INT64, List.of(-1L)), true)),
                Optional.empty(), "single", "single 1t", Map.of(), Optional.empty(), 0, List.of(), 8,
                new ModelSettings(1, ModelSettings.Batching.OFF, VersionPolicy.ALL), Optional.empty());
    }
}
