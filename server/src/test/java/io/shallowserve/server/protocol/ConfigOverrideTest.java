package io.shallowserve.server.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.ModelOverride;
import io.shallowserve.server.repository.ModelSettings;
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

    @Test
    void fromParameters_none_asksForNoOverride() throws InferenceException {
        assertThat(ConfigOverride.fromParameters("m", Map.of(), MAX_BATCH, CPU)).isEmpty();
    }

    @Test
    void fromParameters_theServersOwnConfiguration_roundTrips() throws InferenceException {
        ModelSettings served = new ModelSettings(3, new ModelSettings.Batching(true, 250, List.of(2, 8)),
                VersionPolicy.parse("latest:2"));
        String json = new String(ModelConfiguration.json(ModelConfiguration.of(
                ModelConfigurationTest.metadata(served), CPU)), StandardCharsets.UTF_8);

        ModelOverride override = config(json);

        assertThat(override.instances()).hasValue(3);
        assertThat(override.batching()).isEqualTo(served.batching());
        assertThat(override.versionPolicy()).contains(VersionPolicy.parse("latest:2"));
        assertThat(override.inputs()).containsExactly(
                new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L)));
        assertThat(override.outputs()).containsExactly(new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L)));
    }

    @Test
    void fromParameters_tritonsExample_appliesBatchingAndInstances() throws InferenceException {
        // As a Triton user writes it: JSON names in lowerCamelCase are protobuf's too; 64-bit numbers quoted or not.
        ModelOverride override = config("""
                {"dynamicBatching": {"maxQueueDelayMicroseconds": "100", "preferred_batch_size": [4]},
                 "instance_group": [{"kind": "KIND_CPU", "count": 2}, {"count": 0}],
                 "version_policy": {"specific": {"versions": [1, "3"]}}}""");

        assertThat(override.batching()).isEqualTo(new ModelSettings.Batching(true, 100, List.of(4)));
        assertThat(override.instances()).as("Triton's count 0 is 1").hasValue(3);
        assertThat(override.versionPolicy()).contains(VersionPolicy.parse("specific:1,3"));
        assertThat(override.inputs()).isEmpty();
    }

    @Test
    void fromParameters_configWithoutBatchingOrGroups_turnsBatchingOffAndKeepsTheDefaults()
            throws InferenceException {
        ModelOverride override = config("{\"name\": \"m\", \"max_batch_size\": 64}");

        assertThat(override.batching()).isEqualTo(ModelSettings.Batching.OFF);
        assertThat(override.instances()).isEmpty();
        assertThat(override.versionPolicy()).isEmpty();
    }

    @Test
    void fromParameters_unsupportedField_isRefusedNamingIt() {
        assertRefused("{\"optimization\": {\"graph\": {\"level\": 1}}}",
                InferenceException.Status.FAILED_PRECONDITION, "'optimization'");
        assertRefused("{\"dynamic_batching\": {\"preserve_ordering\": true}}",
                InferenceException.Status.FAILED_PRECONDITION, "'dynamic_batching.preserve_ordering'");
        assertRefused("{\"instance_group\": [{\"count\": 1}, {\"rate_limiter\": {}}]}",
                InferenceException.Status.FAILED_PRECONDITION, "'instance_group[1].rate_limiter'");
        assertRefused("{\"sequence_batching\": {}}", InferenceException.Status.FAILED_PRECONDITION,
                "'sequence_batching'");
    }

    @Test
    void fromParameters_whatTheServerCannotChange_isRefusedWithTheReason() {
        assertRefused("{\"max_batch_size\": 8}", InferenceException.Status.FAILED_PRECONDITION,
                "shallowserve.limits.batch");
        assertRefused("{\"platform\": \"tensorrt_plan\"}", InferenceException.Status.FAILED_PRECONDITION,
                "onnxruntime_onnx");
        assertRefused("{\"backend\": \"python\"}", InferenceException.Status.FAILED_PRECONDITION, "onnxruntime");
        assertRefused("{\"instance_group\": [{\"kind\": \"KIND_GPU\", \"count\": 1}]}",
                InferenceException.Status.FAILED_PRECONDITION, "the CPU");
        assertRefused("{\"instance_group\": [{\"gpus\": [1]}]}", InferenceException.Status.FAILED_PRECONDITION,
                "GPUs [1]");
        assertRefused("{\"parameters\": {\"plan\": {\"string_value\": \"branches\"}}}",
                InferenceException.Status.FAILED_PRECONDITION, "shallowserve.plan");
        assertRefused("{\"input\": [{\"name\": \"input\", \"format\": \"FORMAT_NHWC\"}]}",
                InferenceException.Status.FAILED_PRECONDITION, "NCHW");
    }

    @Test
    void fromParameters_onCuda_takesGpuGroupsOfItsDevice() throws InferenceException {
        Optional<ModelOverride> override = ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG,
                "{\"instance_group\": [{\"kind\": \"KIND_GPU\", \"gpus\": [0], \"count\": 2}]}"), MAX_BATCH, 0);

        assertThat(override.orElseThrow().instances()).hasValue(2);
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG,
                "{\"instance_group\": [{\"kind\": \"KIND_CPU\"}]}"), MAX_BATCH, 0))
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
                "count -1");
        assertRefused("{\"instance_group\": [{\"count\": 40}, {\"count\": 40}]}",
                InferenceException.Status.INVALID_ARGUMENT, "80 instances");
    }

    @Test
    void fromParameters_otherParameters_areRefused() {
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of("file:1/model.onnx", "AAAA",
                ConfigOverride.CONFIG, "{}"), MAX_BATCH, CPU))
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(InferenceException.Status.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).contains("model files in a load request are not supported");
                });
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", Map.of("unload_dependents", "true"), MAX_BATCH,
                CPU)).isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT));
        Map<String, String> notAString = new HashMap<>();
        notAString.put(ConfigOverride.CONFIG, null);
        assertThatThrownBy(() -> ConfigOverride.fromParameters("m", notAString, MAX_BATCH, CPU))
                .hasMessageContaining("must be a string");
    }

    private static ModelOverride config(String json) throws InferenceException {
        return ConfigOverride.fromParameters("m", Map.of(ConfigOverride.CONFIG, json), MAX_BATCH, CPU)
                .orElseThrow();
    }

    private static void assertRefused(String json, InferenceException.Status status, String messagePart) {
        assertThatThrownBy(() -> config(json)).isInstanceOfSatisfying(InferenceException.class, e -> {
            assertThat(e.status()).as(e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messagePart);
        });
    }
}
