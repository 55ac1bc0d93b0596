package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads YAML as the JSON tree the Kubernetes API sees (client-java-api's models are Gson-based). Refuses what the
 * API would not take as JSON, such as a timestamp, instead of passing it on as something else.
 */
final class YamlJson {

    private YamlJson() {
    }

    /** Every document of a file; empty documents (a trailing "---") are left out. */
    static List<JsonElement> readAll(Path file) {
        try {
            return parseAll(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every document of {@code text}; {@code source} names it in error messages. */
    static List<JsonElement> parseAll(String text, String source) {
        LoaderOptions options = new LoaderOptions();
        // A key given twice is a mistake that kubectl refuses; SnakeYAML would keep the last one silently.
        options.setAllowDuplicateKeys(false);
        List<JsonElement> documents = new ArrayList<>();
        for (Object document : new Yaml(new SafeConstructor(options)).loadAll(text)) {
            if (document != null) {
                documents.add(toJson(document, source));
            }
        }
        return documents;
    }

    private static JsonElement toJson(Object value, String where) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof Map<?, ?> map) {
            JsonObject object = new JsonObject();
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IllegalArgumentException(where + ": key " + entry.getKey() + " is not a string; quote it");
                }
                object.add(key, toJson(entry.getValue(), where + "." + key));
            }
            return object;
        }
        if (value instanceof List<?> list) {
            JsonArray array = new JsonArray();
            for (int i = 0; i < list.size(); i++) {
                array.add(toJson(list.get(i), where + "[" + i + "]"));
            }
            return array;
        }
        if (value instanceof String string) {
            return new JsonPrimitive(string);
        }
        if (value instanceof Number number) {
            return new JsonPrimitive(number);
        }
        if (value instanceof Boolean bool) {
            return new JsonPrimitive(bool);
        }
        throw new IllegalArgumentException(where + ": YAML made a " + value.getClass().getSimpleName()
                + " of '" + value + "', which is not JSON; quote it");
    }
}
