package io.shallowserve.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.ErrorMessages;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import io.shallowserve.server.repository.VersionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigOverrideTest {

    private static final int MAX_BATCH = 64;
    private static final int CPU = -1;
    private static final ModelSettings DEFAULTS = new ModelSettings(1, ModelSettings.Batching.OFF,
            VersionPolicy.parse("latest:1"));

    @Test
    void fromParameters_none_asksForNoOverride() throws InferenceException {
        assertThat(ConfigOverride.fromParameters("m", Map.of(), DEFAULTS, MAX_BATCH, CPU)).isEmpty();
    }

    @Test
    void fromParameters_theServersOwnConfiguration_roundTrips() throws InferenceException {
        ModelSettings served = new ModelSettings(3, new ModelSettings.Batching(true, 250, List.of(2, 8)),
                VersionPolicy.parse("latest:2"));
        String json = new String(ModelConfiguration.json(ModelConfiguration.of(
                ModelConfigurationTest.metadata(served), CPU)), StandardCharsets.UTF_8);

        TritonModelConfig override = config(json);

        assertThat(override.settings()).isEqualTo(served);
        assertThat(override.maxBatchSize()).isEqualTo(64);
        assertThat(override.inputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L))));
        assertThat(override.outputs()).containsExactly(ServedTensor.unchanged(
                new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L))));
    }

    @Test
    void fromParameters_theServersConfigurationOfABatchOnlyTensor_roundTripsWithItsReshape()
            throws InferenceException {
        String json = new String(ModelConfiguration.json(ModelConfiguration.of(
                ModelConfigurationTest.batchOnlyMetadata(), CPU)), StandardCharsets.UTF_8);

        TritonModelConfig override = config(json);

        assertThat(override.inputs()).containsExactly(new ServedTensor(
                new TensorSpec("x", Datatype.FP32, List.of(-1L, 1L)), List.of(-1L)));
        assertThat(override.outputs()).containsExactly(new ServedTensor(
                new TensorSpec("y", Datatype.INT64, List.of(-1L, 1L)), List.of(-1L)));
    }

    @Test
    void fromParameters_tritonsExample_appliesBatchingAndInstances() throws InferenceException {
        // As a Triton user writes it: JSON names in lowerCamelCase are protobuf's too; 64-bit numbers quoted or not.
        TritonModelConfig override = config("""
                {"dynamicBatching": {"maxQueueDelayMicroseconds": "100", "preferred_batch_size": [4]},
                 "instance_group": [{"kind": "KIND_CPU", "count": 2}, {"count": 0}],
                 "version_policy": {"specific": {"versions": [1, "3"]}}}""");

        assertThat(override.settings().batching()).isEqualTo(new ModelSettings.Batching(true, 100, List.of(4)));
        assertThat(override.settings().instances()).as("Triton's count 0 is 1").isEqualTo(3);
        assertThat(override.settings().versionPolicy()).isEqualTo(VersionPolicy.parse("specific:1,3"));
        assertThat(override.inputs()).isEmpty();
    }

    @Test
    void fromParameters_configWithoutBatchingOrGroups_turnsBatchingOffAndKeepsTheDefaults()
            throws InferenceException {
        TritonModelConfig override = config("{\"name\": \"m\", \"max_batch_size\": 8}");

        assertThat(override.settings()).isEqualTo(DEFAULTS);
        assertThat(override.maxBatchSize()).isEqualTo(8);
        assertThat(override.plan()).isEmpty();
    }

    @Test
    void fromParameters_planParameter_choosesTheModelsPlan() throws InferenceException {
        TritonModelConfig override = config("{\"parameters\": {\"shallowserve.plan\": {\"string_value\": \"wide\"}}}");

        assertThat(override.plan()).contains(PlanChoice.WIDE);
    }

    @Test
    void fromParameters_fieldsTheServerDoesNotApply_areRefusedNamingThem() {
        assertRefused("{\"optimization\": {\"graph\": {\"level\": 1}}}",
                InferenceException.Status.FAILED_PRECONDITION, "'optimization'");
        assertRefused("{\"dynamic_batching\": {\"preserve_ordering\": true}}",
                InferenceException.Status.FAILED_PRECONDITION, "'dynamic_batching.preserve_ordering'");
        assertRefused("{\"instance_group\": [{\"count\": 1}, {\"rate_limiter\": {}}]}",
                InferenceException.Status.FAILED_PRECONDITION, "'instance_group[1].rate_limiter'");
        assertRefused("{\"sequence_batching\": {}}", InferenceException.Status.FAILED_PRECONDITION,
                "'sequence_batching'");
        assertRefused("{\"instance_group\": [{\"kind\": \"KIND_GPU\", \"count\": 1}]}",
                InferenceException.Status.FAILED_PRECONDITION, "KIND_GPU (every model runs on the CPU, --device)");
        assertRefused("{\"instance_group\": [{\"gpus\": [1]}]}", InferenceException.Status.FAILED_PRECONDITION,
                "gpus [1]");
        assertRefused("{\"parameters\": {\"plan\": {\"string_value\": \"branches\"}}}",
                InferenceException.Status.FAILED_PRECONDITION, "'parameters.plan'");
    }

    @Test
    void fromParameters_whatTheServerCannotServe_isRefusedWithTheReason() {
        assertRefused("{\"max_batch_size\": 128}", InferenceException.Status.INVALID_ARGUMENT,
                "shallowserve.limits.batch");
        assertRefused("{\"platform\": \"tensorrt_plan\"}", InferenceException.Status.INVALID_ARGUMENT,
                "onnxruntime_onnx");
        assertRefused("{\"backend\": \"python\"}", InferenceException.Status.INVALID_ARGUMENT, "onnxruntime");
    }

    @Test
    void fromParameters_onCuda_takesGpuGroupsOfItsDevice() throws InferenceException {
        Optional<TritonModelConfig> override = ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG,
                "{\"instance_group\": [{\"kind\": \"KIND_GPU\", \"gpus\": [0], \"count\": 2}]}"), DEFAULTS,
                MAX_BATCH, 0);

        assertThat(override.orElseThrow().settings().instances()).isEqualTo(2);
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG,
                "{\"instance_group\": [{\"kind\": \"KIND_CPU\"}]}"), DEFAULTS, MAX_BATCH, 0))
                .hasMessageContaining("cuda:0");
    }

    @Test
    void fromParameters_invalidConfiguration_isInvalidArgument() {
        assertRefused("{\"dynamic_batching\": ", InferenceException.Status.INVALID_ARGUMENT, "not JSON");
        assertRefused("[1]", InferenceException.Status.INVALID_ARGUMENT, "JSON object");
        assertRefused("{\"max_batch_size\": \"many\"}", InferenceException.Status.INVALID_ARGUMENT,
                "not a valid model configuration");
        assertRefused("{\"name\": \"other\"}", InferenceException.Status.INVALID_ARGUMENT, "'other'");
        assertRefused("{\"version_policy\": {\"latest\": {\"num_versions\": 0}}}",
                InferenceException.Status.INVALID_ARGUMENT, "version_policy");
        assertRefused("{\"instance_group\": [{\"count\": -1}]}", InferenceException.Status.INVALID_ARGUMENT,
                "count is -1");
        assertRefused("{\"instance_group\": [{\"count\": 40}, {\"count\": 40}]}",
                InferenceException.Status.INVALID_ARGUMENT, "80 instances");
    }

    @Test
    void fromParameters_configNotJson_saysWhatIsWrongAndWhereWithoutGsonsAdvice() {
        String advice = "; send the model configuration as one JSON object, e.g. {\"max_batch_size\": 8}";
        assertRefused("{\"dynamic_batching\": ", InferenceException.Status.INVALID_ARGUMENT,
                "load parameter 'config' is not JSON: the text ends before the JSON is complete near line 1,"
                        + " column 22 (path $.dynamic_batching)" + advice);
        assertRefused("{\"max_batch_size\" 8}", InferenceException.Status.INVALID_ARGUMENT,
                "is not JSON: expected ':' near line 1, column 20 (path $.max_batch_size)" + advice);
        assertRefused("{\"input\": [{\"name\": \"x\"}\n {\"name\": \"y\"}]}",
                InferenceException.Status.INVALID_ARGUMENT,
                "is not JSON: unterminated array near line 2, column 3 (path $.input[1])" + advice);
        assertRefused("{\"max_batch_size\": 8}}", InferenceException.Status.INVALID_ARGUMENT,
                "is not JSON: more text follows the end of the JSON near line 1, column 23 (path $)" + advice);
    }

    @Test
    void fromParameters_configNotJsonWithALongName_isBoundedAndKeepsTheProblemAndTheAdvice() {
        String name = "n".repeat(100_000);

        assertThatThrownBy(() -> config("{\"" + name + "\": ")).isInstanceOfSatisfying(InferenceException.class,
                e -> assertThat(e.getMessage()).hasSizeLessThanOrEqualTo(ErrorMessages.MAX_CHARS)
                        .contains("the text ends before the JSON is complete near line 1, column 100006")
                        .endsWith("send the model configuration as one JSON object, e.g. {\"max_batch_size\": 8}"));
    }

    @Test
    void fromParameters_otherParameters_areRefused() {
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of("file:1/model.onnx", "AAAA",
                ConfigOverride.CONFIG, "{}"), DEFAULTS, MAX_BATCH, CPU))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(InferenceException.Status.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).contains("model files in a load request are not supported");
                });
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of("unload_dependents", "true"), DEFAULTS,
                MAX_BATCH, CPU)).isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT));
        Map<String, String> notAString = new HashMap<>();
        notAString.put(ConfigOverride.CONFIG, null);
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", notAString, DEFAULTS, MAX_BATCH, CPU))
                .hasMessageContaining("must be a string");
    }

    private static TritonModelConfig config(String json) throws InferenceException {
        return ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG, json), DEFAULTS, MAX_BATCH, CPU)
                .orElseThrow();
    }

    private static void assertRefused(String json, InferenceException.Status status, String messagePart) {
        assertThatThrownBy(() -> config(json)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }
}
