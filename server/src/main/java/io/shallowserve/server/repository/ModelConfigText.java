package io.shallowserve.server.repository;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.TextFormat;
import io.shallowserve.proto.inference.ModelConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Triton's model configuration in protobuf text format (config.pbtxt) parsed by protobuf's own parser into this
 * server's {@link ModelConfig}, which has only the fields the server fills (model_config.proto says which). Triton's
 * other fields (optimization, model_warmup, an input's reshape, ...) are skipped and named, so that a configuration
 * written for Triton loads here and the caller can say what it leaves out.
 */
final class ModelConfigText {

    /**
     * The start of the message of protobuf's parser when every field parsed but some were unknown; the lines after
     * it are "line:column:\tpackage.Message.field", one per unknown field.
     */
    private static final String UNKNOWN_FIELDS = "Input contains unknown fields and/or extensions:";

    /** As Triton's parser (protobuf's C++ one): a field that is not repeated may be given once. */
    private static final TextFormat.Parser PARSER = TextFormat.Parser.newBuilder()
            .setSingularOverwritePolicy(TextFormat.Parser.SingularOverwritePolicy.FORBID_SINGULAR_OVERWRITES)
            .build();

    /** Where each message type of ModelConfig sits in it, e.g. inference.ModelInput at "input". */
    private static final Map<String, String> PATHS = paths(ModelConfig.getDescriptor(), "", new HashMap<>());

    /**
     * A parsed configuration.
     *
     * @param config        the fields this server's ModelConfig has
     * @param unknownFields the other fields set, by their path in Triton's ModelConfig (e.g. "optimization",
     *                      "input.reshape"), each once, in the order of the text
     */
    record Parsed(ModelConfig config, List<String> unknownFields) {

        Parsed {
            unknownFields = List.copyOf(unknownFields);
        }
    }

    private ModelConfigText() {
    }

    /**
     * Parses {@code text}.
     *
     * @throws TextFormat.ParseException if it is not a ModelConfig in text format (line and column of the first
     *                                   error), or names a value an enum does not have
     */
    static Parsed parse(String text) throws TextFormat.ParseException {
        ModelConfig.Builder config = ModelConfig.newBuilder();
        try {
            PARSER.merge(text, config);
            return new Parsed(config.build(), List.of());
        } catch (TextFormat.ParseException e) {
            if (!e.getMessage().contains(UNKNOWN_FIELDS)) {
                throw e;
            }
            // The parser skips an unknown field, merges the rest, and reports every unknown field at the end: the
            // builder holds the whole known configuration. (Allowing unknown fields instead would only log them,
            // as a warning of its own, without saying which to the caller.)
            return new Parsed(config.build(), unknownFields(e.getMessage()));
        }
    }

    private static List<String> unknownFields(String message) {
        Set<String> fields = new LinkedHashSet<>();
        String[] lines = message.substring(message.indexOf(UNKNOWN_FIELDS) + UNKNOWN_FIELDS.length()).split("\n");
        for (String line : lines) {
            int tab = line.indexOf('\t');
            if (tab < 0) {
                continue;
            }
            String qualified = line.substring(tab + 1).trim();
            // "inference.ModelConfig.optimization"; an extension is "inference.ModelConfig.[name]".
            int bracket = qualified.indexOf(".[");
            int dot = bracket >= 0 ? bracket : qualified.lastIndexOf('.');
            String type = qualified.substring(0, dot);
            String field = qualified.substring(dot + 1);
            String parent = PATHS.getOrDefault(type, type);
            fields.add(parent.isEmpty() ? field : parent + "." + field);
        }
        return List.copyOf(fields);
    }

    private static Map<String, String> paths(Descriptor type, String path, Map<String, String> paths) {
        paths.putIfAbsent(type.getFullName(), path);
        for (FieldDescriptor field : type.getFields()) {
            if (field.getType() == FieldDescriptor.Type.MESSAGE && !paths.containsKey(
                    field.getMessageType().getFullName())) {
                paths(field.getMessageType(), path.isEmpty() ? field.getName() : path + "." + field.getName(),
                        paths);
            }
        }
        return paths;
    }
}
