package io.shallowserve.server.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.shallowserve.proto.inference.DataType;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.proto.inference.ModelInput;
import io.shallowserve.proto.inference.ModelInstanceGroup;
import io.shallowserve.proto.inference.ModelOutput;
import io.shallowserve.proto.inference.ModelVersionPolicy;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.ModelOverride;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.VersionPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * The parameters of a load request (Triton's model repository extension) as the engine takes them: a "config"
 * parameter, the model configuration in Triton's JSON form, becomes a {@link ModelOverride} of the settings this
 * server can apply (dynamic batching, the instance count, the version policy); every other field must say what the
 * model already is, or the load is refused with the reason. Nothing a client sends is ignored.
 *
 * <p>Why some fields are refused: the largest batch is one limit for every model (shallowserve.limits.batch), the
 * device is the server's (--device), the plan is the server's (shallowserve.plan), and model files come from the
 * repository folder, never from the request ("file:" parameters).
 */
public final class ConfigOverride {

    /** The load parameter holding the configuration. */
    public static final String CONFIG = "config";
    /** The prefix of Triton's load parameters that carry model files. */
    private static final String FILE_PREFIX = "file:";
    private static final String APPLIED = "; a load applies dynamic_batching, instance_group count and"
            + " version_policy (GET /v2/models/{model}/config shows the rest)";

    private ConfigOverride() {
    }

    /**
     * The override the load parameters of {@code model} ask for; empty when they ask for none.
     *
     * @param parameters   the load parameters by name, each value the parameter's string, or null where it is not
     *                     a string
     * @param maxBatchSize the server's largest batch
     * @param cudaDevice   the CUDA device the models run on, -1 for the CPU
     * @throws InferenceException INVALID_ARGUMENT for an unknown parameter or a configuration that is not valid JSON
     *                            of a model configuration; FAILED_PRECONDITION for one this server cannot apply
     */
    public static Optional<ModelOverride> fromParameters(String model, Map<String, String> parameters,
            int maxBatchSize, int cudaDevice) throws InferenceException {
        for (String name : parameters.keySet()) {
            if (name.startsWith(FILE_PREFIX)) {
                throw failedPrecondition("load parameter '" + name + "': model files in a load request are not"
                        + " supported; copy the version folder into the model repository (<model>/<version>/), then"
                        + " load the model");
            }
            if (!name.equals(CONFIG)) {
                throw InferenceException.invalid("unknown load parameter '" + name + "'; this server takes '"
                        + CONFIG + "' (the model configuration in JSON)");
            }
        }
        if (!parameters.containsKey(CONFIG)) {
            return Optional.empty();
        }
        String json = parameters.get(CONFIG);
        if (json == null) {
            throw InferenceException.invalid("load parameter '" + CONFIG + "' must be a string holding the model"
                    + " configuration in JSON");
        }
        return Optional.of(override(model, parse(json), maxBatchSize, cudaDevice));
    }

    private static ModelConfig parse(String json) throws InferenceException {
        JsonElement tree;
        try {
            tree = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw InferenceException.invalid("load parameter 'config' is not JSON: " + e.getMessage());
        }
        if (!tree.isJsonObject()) {
            throw InferenceException.invalid("load parameter 'config' must be a JSON object, a model"
                    + " configuration");
        }
        requireSupportedFields(tree.getAsJsonObject(), ModelConfig.getDescriptor(), "");
        ModelConfig.Builder config = ModelConfig.newBuilder();
        try {
            JsonFormat.parser().merge(json, config);
        } catch (InvalidProtocolBufferException e) {
            throw InferenceException.invalid("load parameter 'config' is not a valid model configuration: "
                    + e.getMessage());
        }
        return config.build();
    }

    /**
     * Refuses a field this server's ModelConfig does not have (Triton's optimization, sequence_batching, ...): it
     * would be dropped otherwise. Names are the proto names or their JSON (lowerCamelCase) forms, as protobuf's
     * JSON parser takes them.
     */
    private static void requireSupportedFields(JsonObject json, Descriptor type, String path)
            throws InferenceException {
        for (Map.Entry<String, JsonElement> member : json.entrySet()) {
            FieldDescriptor field = field(type, member.getKey());
            String name = path + member.getKey();
            if (field == null) {
                throw failedPrecondition("the configuration sets '" + name + "', which this server cannot apply"
                        + APPLIED);
            }
            if (field.getType() != FieldDescriptor.Type.MESSAGE) {
                continue;
            }
            JsonElement value = member.getValue();
            if (field.isMapField()) {
                FieldDescriptor mapValue = field.getMessageType().findFieldByName("value");
                if (value.isJsonObject() && mapValue.getType() == FieldDescriptor.Type.MESSAGE) {
                    for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
                        if (entry.getValue().isJsonObject()) {
                            requireSupportedFields(entry.getValue().getAsJsonObject(), mapValue.getMessageType(),
                                    name + "." + entry.getKey() + ".");
                        }
                    }
                }
            } else if (field.isRepeated() && value.isJsonArray()) {
                for (int i = 0; i < value.getAsJsonArray().size(); i++) {
                    JsonElement element = value.getAsJsonArray().get(i);
                    if (element.isJsonObject()) {
                        requireSupportedFields(element.getAsJsonObject(), field.getMessageType(),
                                name + "[" + i + "].");
                    }
                }
            } else if (value.isJsonObject()) {
                requireSupportedFields(value.getAsJsonObject(), field.getMessageType(), name + ".");
            }
            // Anything else is the wrong type: protobuf's parser says so.
        }
    }

    private static FieldDescriptor field(Descriptor type, String name) {
        FieldDescriptor field = type.findFieldByName(name);
        if (field != null) {
            return field;
        }
        return type.getFields().stream().filter(f -> f.getJsonName().equals(name)).findFirst().orElse(null);
    }

    private static ModelOverride override(String model, ModelConfig config, int maxBatchSize, int cudaDevice)
            throws InferenceException {
        if (!config.getName().isEmpty() && !config.getName().equals(model)) {
            throw InferenceException.invalid("the configuration is of model '" + config.getName()
                    + "', the load is of model '" + model + "'");
        }
        requireEmptyOr("platform", config.getPlatform(), "onnxruntime_onnx");
        requireEmptyOr("backend", config.getBackend(), ModelConfiguration.BACKEND);
        if (config.getMaxBatchSize() != 0 && config.getMaxBatchSize() != maxBatchSize) {
            throw failedPrecondition("the configuration sets max_batch_size " + config.getMaxBatchSize()
                    + "; this server's largest batch is " + maxBatchSize + " for every model"
                    + " (shallowserve.limits.batch), a load cannot change it");
        }
        if (config.getParametersCount() > 0) {
            throw failedPrecondition("the configuration sets parameters " + config.getParametersMap().keySet()
                    + "; this server has no per-model backend parameters (the plan is the server's"
                    + " shallowserve.plan)");
        }
        ModelSettings.Batching batching;
        try {
            batching = config.hasDynamicBatching()
                    ? new ModelSettings.Batching(true,
                            config.getDynamicBatching().getMaxQueueDelayMicroseconds(),
                            config.getDynamicBatching().getPreferredBatchSizeList())
                    : ModelSettings.Batching.OFF;
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid("the configuration's dynamic_batching is not valid: " + e.getMessage());
        }
        List<TensorSpec> inputs = new ArrayList<>();
        for (ModelInput input : config.getInputList()) {
            if (input.getFormat() == ModelInput.Format.FORMAT_NHWC) {
                throw failedPrecondition("the configuration's input '" + input.getName() + "' is FORMAT_NHWC;"
                        + " this server's models take NCHW images");
            }
            inputs.add(tensor(input.getName(), input.getDataType(), input.getDimsList()));
        }
        List<TensorSpec> outputs = new ArrayList<>();
        for (ModelOutput output : config.getOutputList()) {
            outputs.add(tensor(output.getName(), output.getDataType(), output.getDimsList()));
        }
        return new ModelOverride(instances(config.getInstanceGroupList(), cudaDevice), batching,
                versionPolicy(config.getVersionPolicy()), inputs, outputs);
    }

    /** A declared tensor as the model metadata has it: the batch dimension (-1) first, as max_batch_size > 0. */
    private static TensorSpec tensor(String name, DataType type, List<Long> dims) throws InferenceException {
        Datatype datatype = ModelConfiguration.datatype(type).orElseThrow(() -> InferenceException.invalid(
                "the configuration's tensor '" + name + "' has data_type " + type + ", which this server has no"
                        + " tensors of"));
        List<Long> shape = new ArrayList<>(dims.size() + 1);
        shape.add(-1L);
        shape.addAll(dims);
        return new TensorSpec(name, datatype, shape);
    }

    /** The instances the groups add up to; empty for no group (the server's default count). */
    private static OptionalInt instances(List<ModelInstanceGroup> groups, int cudaDevice)
            throws InferenceException {
        if (groups.isEmpty()) {
            return OptionalInt.empty();
        }
        String device = cudaDevice >= 0 ? "cuda:" + cudaDevice : "the CPU";
        long total = 0;
        for (ModelInstanceGroup group : groups) {
            boolean kindFits = switch (group.getKind()) {
                case KIND_AUTO -> true;
                case KIND_CPU -> cudaDevice < 0;
                case KIND_GPU -> cudaDevice >= 0;
                default -> false;
            };
            if (!kindFits) {
                throw failedPrecondition("the configuration's instance group asks for " + group.getKind()
                        + "; this server runs every model on " + device + " (--device)");
            }
            if (!group.getGpusList().isEmpty() && (cudaDevice < 0 || !group.getGpusList().equals(
                    List.of(cudaDevice)))) {
                throw failedPrecondition("the configuration's instance group asks for GPUs " + group.getGpusList()
                        + "; this server runs every model on " + device + " (--device)");
            }
            if (group.getCount() < 0) {
                throw InferenceException.invalid("the configuration's instance group has count "
                        + group.getCount() + "; give at least 1");
            }
            // Triton's default count is 1.
            total += Math.max(1, group.getCount());
        }
        if (total > ModelSettings.MAX_INSTANCES) {
            throw InferenceException.invalid("the configuration's instance groups add up to " + total
                    + " instances; this server takes at most " + ModelSettings.MAX_INSTANCES + " per version");
        }
        return OptionalInt.of((int) total);
    }

    private static Optional<VersionPolicy> versionPolicy(ModelVersionPolicy policy) throws InferenceException {
        try {
            return switch (policy.getPolicyChoiceCase()) {
                case ALL -> Optional.of(VersionPolicy.ALL);
                case LATEST -> Optional.of(new VersionPolicy(VersionPolicy.Kind.LATEST,
                        (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(policy.getLatest().getNumVersions())),
                        new TreeSet<>()));
                case SPECIFIC -> {
                    TreeSet<Integer> versions = new TreeSet<>();
                    for (long version : policy.getSpecific().getVersionsList()) {
                        if (version < 1 || version > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException("version_policy specific has version " + version
                                    + "; versions are positive integers");
                        }
                        versions.add((int) version);
                    }
                    yield Optional.of(new VersionPolicy(VersionPolicy.Kind.SPECIFIC, 0, versions));
                }
                case POLICYCHOICE_NOT_SET -> Optional.empty();
            };
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid("the configuration's version_policy is not valid: " + e.getMessage());
        }
    }

    private static void requireEmptyOr(String field, String value, String supported) throws InferenceException {
        if (!value.isEmpty() && !value.equals(supported)) {
            throw failedPrecondition("the configuration sets " + field + " '" + value + "'; this server runs ONNX"
                    + " models with ONNX Runtime (" + field + " '" + supported + "')");
        }
    }

    private static InferenceException failedPrecondition(String message) {
        return new InferenceException(InferenceException.Status.FAILED_PRECONDITION, message);
    }
}
