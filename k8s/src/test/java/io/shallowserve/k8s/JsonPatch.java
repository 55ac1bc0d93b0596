package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902) with the operations kustomize overlays use here: add, replace, remove and test (which fails
 * the patch unless the value at its path equals its value, to guard a patch that addresses a list by index). A path
 * that does not exist fails, as it does in kustomize.
 */
final class JsonPatch {

    private JsonPatch() {
    }

    /** Applies {@code operations} to {@code document} in place. */
    static void apply(JsonObject document, JsonArray operations) {
        for (JsonElement element : operations) {
            JsonObject operation = element.getAsJsonObject();
            String op = operation.get("op").getAsString();
            String path = operation.get("path").getAsString();
            List<String> tokens = tokens(path);
            JsonElement parent = parent(document, tokens, path);
            String last = tokens.getLast();
            switch (op) {
                case "add" -> add(parent, last, value(operation, path), path);
                case "replace" -> replace(parent, last, value(operation, path), path);
                case "remove" -> remove(parent, last, path);
                case "test" -> test(parent, last, value(operation, path), path);
                default -> throw new IllegalArgumentException("JSON patch operation '" + op + "' (" + path
                        + ") is not implemented; use add, replace, remove or test");
            }
        }
    }

    private static JsonElement value(JsonObject operation, String path) {
        JsonElement value = operation.get("value");
        if (value == null) {
            throw new IllegalArgumentException("JSON patch at " + path + " has no value");
        }
        return value.deepCopy();
    }

    /** The reference tokens of a JSON pointer, "~1" and "~0" decoded. */
    private static List<String> tokens(String pointer) {
        if (!pointer.startsWith("/")) {
            throw new IllegalArgumentException("JSON pointer '" + pointer + "' does not start with /");
        }
        List<String> tokens = new ArrayList<>();
        for (String token : pointer.substring(1).split("/", -1)) {
            tokens.add(token.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static JsonElement parent(JsonObject document, List<String> tokens, String path) {
        JsonElement current = document;
        for (String token : tokens.subList(0, tokens.size() - 1)) {
            current = current.isJsonArray()
                    ? current.getAsJsonArray().get(index(current.getAsJsonArray(), token, path, false))
                    : current.isJsonObject() ? current.getAsJsonObject().get(token) : null;
            if (current == null) {
                throw new IllegalArgumentException("JSON patch path " + path + " does not exist (at '" + token + "')");
            }
        }
        return current;
    }

    private static void add(JsonElement parent, String token, JsonElement value, String path) {
        if (parent.isJsonObject()) {
            parent.getAsJsonObject().add(token, value);
        } else if (parent.isJsonArray()) {
            JsonArray array = parent.getAsJsonArray();
            if (token.equals("-")) {
                array.add(value);
            } else {
                array.asList().add(index(array, token, path, true), value);
            }
        } else {
            throw new IllegalArgumentException("JSON patch path " + path + " goes into a value, not an object or list");
        }
    }

    /** Replaces in place, so the member keeps its position, as kustomize's output does. */
    private static void replace(JsonElement parent, String token, JsonElement value, String path) {
        if (parent.isJsonObject() && parent.getAsJsonObject().has(token)) {
            parent.getAsJsonObject().add(token, value);
        } else if (parent.isJsonArray()) {
            parent.getAsJsonArray().set(index(parent.getAsJsonArray(), token, path, false), value);
        } else {
            throw new IllegalArgumentException("JSON patch path " + path + " does not exist");
        }
    }

    private static void remove(JsonElement parent, String token, String path) {
        if (parent.isJsonObject() && parent.getAsJsonObject().has(token)) {
            parent.getAsJsonObject().remove(token);
        } else if (parent.isJsonArray()) {
            parent.getAsJsonArray().remove(index(parent.getAsJsonArray(), token, path, false));
        } else {
            throw new IllegalArgumentException("JSON patch path " + path + " does not exist");
        }
    }

    private static void test(JsonElement parent, String token, JsonElement value, String path) {
        JsonElement found = parent.isJsonArray() ? parent.getAsJsonArray().get(index(parent.getAsJsonArray(), token,
                path, false)) : parent.isJsonObject() ? parent.getAsJsonObject().get(token) : null;
        if (!value.equals(found)) {
            throw new IllegalArgumentException("JSON patch test at " + path + " failed: " + found + " is not " + value);
        }
    }

    /** A list index; {@code end} allows the index one past the last element (where "add" may insert). */
    private static int index(JsonArray array, String token, String path, boolean end) {
        int index;
        try {
            index = Integer.parseInt(token);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("JSON patch path " + path + ": '" + token + "' is not a list index", e);
        }
        if (index < 0 || index > array.size() || (index == array.size() && !end)) {
            throw new IllegalArgumentException("JSON patch path " + path + ": index " + index + " is outside the list");
        }
        return index;
    }
}
