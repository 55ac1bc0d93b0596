package io.shallowserve.server.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.shallowserve.proto.inference.ModelConfig;
import io.shallowserve.runtime.exec.PlanChoice;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.TritonModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of a load request (Triton's model repository extension) as the engine takes them: a "config"
 * parameter, the model configuration in Triton's JSON form, is read as config.pbtxt is ({@link TritonModelConfig})
 * and serves the model in place of its config.pbtxt and serving.yaml. Unlike config.pbtxt, whose fields the server
 * does not apply are logged and ignored so that a Triton repository serves unchanged, a load request is refused if it
 * sets any: nothing a client sends is ignored. Model files never come from the request ("file:" parameters).
 */
public final class ConfigOverride {

    /** The load parameter holding the configuration. */
    public static final String CONFIG = "config";
    /** The prefix of Triton's load parameters that carry model files. */
    private static final String FILE_PREFIX = "file:";
    private static final String APPLIED = "; a load applies max_batch_size, input, output, dynamic_batching,"
            + " instance_group count, version_policy and the parameter " + PlanChoice.CONFIG_PARAMETER
            + " (GET /v2/models/{model}/config shows the rest)";
    /** How Gson describes malformed JSON: the reason, then where; its advice to programmers may follow. */
    private static final Pattern GSON_SYNTAX_ERROR =
            Pattern.compile("(.+?) at line (\\d+) column (\\d+) path (\\S*)");

    private ConfigOverride() {
    }

    /**
     * The configuration the load parameters of {@code model} bring; empty when they bring none.
     *
     * @param parameters   the load parameters by name, each value the parameter's string, or null where it is not
     *                     a string
     * @param defaults     the server's serving settings, which the configuration's fields override
     * @param maxBatchSize the server's largest batch
     * @param cudaDevice   the CUDA device the models run on, -1 for the CPU
     * @throws InferenceException INVALID_ARGUMENT for an unknown parameter or a configuration that is not valid JSON
     *                            of a model configuration; FAILED_PRECONDITION for one this server cannot apply
     */
    public static Optional<TritonModelConfig> fromParameters(String model, Map<String, String> parameters,
            ModelSettings defaults, int maxBatchSize, int cudaDevice) throws InferenceException {
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
        List<String> unknown = new ArrayList<>();
        ModelConfig config = parse(json, unknown);
        TritonModelConfig read;
        try {
            read = TritonModelConfig.of(model, config, unknown, defaults, maxBatchSize, cudaDevice);
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid("the configuration's " + e.getMessage());
        }
        if (!read.unusedFields().isEmpty()) {
            throw failedPrecondition("the configuration sets " + String.join(", ", read.unusedFields().stream()
                    .map(field -> "'" + field + "'").toList()) + ", which this server cannot apply" + APPLIED);
        }
        return Optional.of(read);
    }

    /** The configuration in {@code json}; the fields this server's ModelConfig does not have go to {@code unknown}. */
    private static ModelConfig parse(String json, List<String> unknown) throws InferenceException {
        JsonElement tree;
        try {
            tree = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw InferenceException.invalid("load parameter 'config' is not JSON: " + syntaxProblem(e)
                    + "; send the model configuration as one JSON object, e.g. {\"max_batch_size\": 8}");
        }
        if (!tree.isJsonObject()) {
            throw InferenceException.invalid("load parameter 'config' must be a JSON object, a model"
                    + " configuration");
        }
        unknownFields(tree.getAsJsonObject(), ModelConfig.getDescriptor(), "", unknown);
        ModelConfig.Builder config = ModelConfig.newBuilder();
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(json, config);
        } catch (InvalidProtocolBufferException e) {
            throw InferenceException.invalid("load parameter 'config' is not a valid model configuration: "
                    + e.getMessage());
        }
        return config.build();
    }

    /**
     * What is wrong with the JSON and where, e.g. "expected ':' near line 1, column 7 (path $.a)", from Gson's
     * description; without Gson's advice to programmers (lenient parsing, a troubleshooting link), which a client
     * cannot act on. "Near": Gson's column is the offending character's or the one after it.
     */
    private static String syntaxProblem(JsonParseException e) {
        Matcher described = GSON_SYNTAX_ERROR.matcher(String.valueOf(e.getCause() == null ? e.getMessage()
                : e.getCause().getMessage()));
        if (!described.lookingAt()) {
            return "malformed JSON";
        }
        String reason = described.group(1);
        if (reason.startsWith("End of input")) {
            reason = "the text ends before the JSON is complete";
        } else if (reason.startsWith("Use JsonReader.setStrictness")) {
            // The parse is lenient: this is Gson's check for the end of the document after it.
            reason = "more text follows the end of the JSON";
        } else {
            reason = reason.substring(0, 1).toLowerCase(Locale.ROOT) + reason.substring(1);
        }
        return reason + " near line " + described.group(2) + ", column " + described.group(3) + " (path "
                + described.group(4) + ")";
    }

    /**
     * Adds to {@code unknown} every field this server's ModelConfig does not have (Triton's optimization,
     * sequence_batching, ...), by path. Names are the proto names or their JSON (lowerCamelCase) forms, as protobuf's
     * JSON parser takes them.
     */
    private static void unknownFields(JsonObject json, Descriptor type, String path, List<String> unknown) {
        for (Map.Entry<String, JsonElement> member : json.entrySet()) {
            FieldDescriptor field = field(type, member.getKey());
            String name = path + member.getKey();
            if (field == null) {
                unknown.add(name);
                continue;
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
                            unknownFields(entry.getValue().getAsJsonObject(), mapValue.getMessageType(),
                                    name + "." + entry.getKey() + ".", unknown);
                        }
                    }
                }
            } else if (field.isRepeated() && value.isJsonArray()) {
                for (int i = 0; i < value.getAsJsonArray().size(); i++) {
                    JsonElement element = value.getAsJsonArray().get(i);
                    if (element.isJsonObject()) {
                        unknownFields(element.getAsJsonObject(), field.getMessageType(), name + "[" + i + "].",
                                unknown);
                    }
                }
            } else if (value.isJsonObject()) {
                unknownFields(value.getAsJsonObject(), field.getMessageType(), name + ".", unknown);
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

    private static InferenceException failedPrecondition(String message) {
        return new InferenceException(InferenceException.Status.FAILED_PRECONDITION, message);
    }
}
