package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization as {@code kustomize build} would, for the part of kustomize that k8s/ uses: resources
 * (files and directories), components (kind Component, applied to what the including kustomization accumulated),
 * ConfigMap generators (env files and literals, created or merged into a base's, labels; the
 * name suffixed with kustomize's hash of the content and the Deployments' references renamed with it), patches (JSON
 * 6902, selected by kind and name) and images (new name, new tag). Anything else in a kustomization fails, so that an
 * overlay cannot use a feature these tests would silently ignore.
 */
final class Kustomize {

    private static final String KUSTOMIZATION = "Kustomization";
    private static final String COMPONENT = "Component";
    private static final Set<String> IMPLEMENTED_FIELDS = Set.of("apiVersion", "kind", "resources", "components",
            "configMapGenerator", "patches", "images");
    private static final Set<String> IMPLEMENTED_GENERATOR_FIELDS = Set.of("name", "envs", "literals", "behavior",
            "options");
    private static final Set<String> IMPLEMENTED_GENERATOR_OPTIONS = Set.of("labels");
    /** Where a pod spec refers to a ConfigMap by name: envFrom, env valueFrom and volumes. */
    private static final Set<String> CONFIG_MAP_REFERENCES = Set.of("configMapRef", "configMapKeyRef", "configMap");
    private static final Set<String> IMPLEMENTED_PATCH_FIELDS = Set.of("target", "patch");
    private static final Set<String> IMPLEMENTED_TARGET_FIELDS = Set.of("kind", "name");
    private static final Set<String> IMPLEMENTED_IMAGE_FIELDS = Set.of("name", "newName", "newTag");
    /** Where the images transformer finds images: as in kustomize, any list of containers in any object. */
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers");

    private Kustomize() {
    }

    /**
     * The objects of a kustomization before generated names get their hash: the objects, in the order of the
     * resources, and which of them a generator made (by identity).
     */
    private record Built(List<JsonObject> objects, Set<JsonObject> generated) {
    }

    /** The objects that {@code kustomize build directory} prints, in the order of the resources. */
    static List<JsonObject> render(Path directory) {
        Built built = build(directory);
        // As kustomize, only the kustomization being built names what was generated: a base's ConfigMap merged into
        // by an overlay is named after what the overlay made of it.
        Map<String, String> renamed = new HashMap<>();
        for (JsonObject generated : built.generated()) {
            JsonObject metadata = generated.getAsJsonObject("metadata");
            String name = string(metadata, "name");
            String hashed = name + "-" + configMapHash(generated);
            metadata.addProperty("name", hashed);
            renamed.put(name, hashed);
        }
        for (JsonObject object : built.objects()) {
            if ("Deployment".equals(string(object, "kind"))) {
                renameConfigMapReferences(object, renamed);
            }
        }
        return built.objects();
    }

    private static Built build(Path directory) {
        List<JsonObject> objects = new ArrayList<>();
        Set<JsonObject> generated = Collections.newSetFromMap(new IdentityHashMap<>());
        accumulate(directory, KUSTOMIZATION, objects, generated);
        return new Built(objects, generated);
    }

    /**
     * Adds what the kustomization (or component) in {@code directory} makes to {@code objects}: its resources (a
     * directory is built on its own, its patches touching only its objects), then its components, which work on
     * everything accumulated so far, then its generators, patches and images, which do too.
     */
    private static void accumulate(Path directory, String kind, List<JsonObject> objects, Set<JsonObject> generated) {
        JsonObject kustomization = read(directory, kind);
        for (JsonElement resource : list(kustomization, "resources")) {
            Path path = directory.resolve(resource.getAsString()).normalize();
            if (Files.isDirectory(path)) {
                Built base = build(path);
                objects.addAll(base.objects());
                generated.addAll(base.generated());
            } else {
                for (JsonElement document : YamlJson.readAll(path)) {
                    objects.add(document.getAsJsonObject());
                }
            }
        }
        for (JsonElement component : list(kustomization, "components")) {
            accumulate(directory.resolve(component.getAsString()).normalize(), COMPONENT, objects, generated);
        }
        for (JsonElement generator : list(kustomization, "configMapGenerator")) {
            generateConfigMap(generator.getAsJsonObject(), objects, generated, directory);
        }
        requireUniqueIds(objects, directory);
        // kustomize runs its patches before its images transformer.
        for (JsonElement patch : list(kustomization, "patches")) {
            applyPatch(patch.getAsJsonObject(), objects, directory);
        }
        for (JsonElement image : list(kustomization, "images")) {
            setImage(image.getAsJsonObject(), objects, directory);
        }
    }

    /**
     * A configMapGenerator entry: its data from env files (KEY=VALUE lines, # comments) then literals (KEY=VALUE,
     * surrounding quotes removed), a new ConfigMap (behavior create, the default) or merged into the generated one of
     * the same name from a base (behavior merge: its keys over the base's, its labels added).
     */
    private static void generateConfigMap(JsonObject generator, List<JsonObject> objects, Set<JsonObject> generated,
                                          Path directory) {
        String where = directory + " configMapGenerator";
        requireOnly(generator, IMPLEMENTED_GENERATOR_FIELDS, where);
        String name = string(generator, "name");
        if (name == null) {
            throw new IllegalArgumentException(where + ": a generator needs a name");
        }
        JsonObject data = new JsonObject();
        for (JsonElement envs : list(generator, "envs")) {
            for (String line : readLines(directory.resolve(envs.getAsString()))) {
                String entry = line.stripLeading();
                if (!entry.isEmpty() && !entry.startsWith("#")) {
                    put(data, entry, false, where + " " + envs.getAsString());
                }
            }
        }
        for (JsonElement literal : list(generator, "literals")) {
            put(data, literal.getAsString(), true, where + " literals");
        }
        JsonObject labels = new JsonObject();
        if (generator.has("options")) {
            JsonObject options = generator.getAsJsonObject("options");
            requireOnly(options, IMPLEMENTED_GENERATOR_OPTIONS, where + " options");
            if (options.has("labels")) {
                labels = options.getAsJsonObject("labels");
            }
        }
        String behavior = generator.has("behavior") ? string(generator, "behavior") : "create";
        switch (behavior) {
            case "create" -> {
                JsonObject metadata = new JsonObject();
                metadata.addProperty("name", name);
                if (!labels.isEmpty()) {
                    metadata.add("labels", labels.deepCopy());
                }
                JsonObject configMap = new JsonObject();
                configMap.addProperty("apiVersion", "v1");
                configMap.addProperty("kind", "ConfigMap");
                configMap.add("metadata", metadata);
                configMap.add("data", data);
                objects.add(configMap);
                generated.add(configMap);
            }
            case "merge" -> {
                JsonObject base = generated.stream()
                        .filter(configMap -> name.equals(string(configMap.getAsJsonObject("metadata"), "name")))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(where + ": behavior merge, but no base"
                                + " generates a ConfigMap " + name));
                data.entrySet().forEach(entry -> base.getAsJsonObject("data").add(entry.getKey(), entry.getValue()));
                if (!labels.isEmpty()) {
                    JsonObject metadata = base.getAsJsonObject("metadata");
                    if (!metadata.has("labels")) {
                        metadata.add("labels", new JsonObject());
                    }
                    labels.entrySet().forEach(label -> metadata.getAsJsonObject("labels").add(label.getKey(),
                            label.getValue()));
                }
            }
            default -> throw new IllegalArgumentException(where + ": behavior " + behavior + " is not implemented"
                    + " (create, merge)");
        }
    }

    /** One KEY=VALUE entry; a literal's value loses matching surrounding quotes, as in kustomize. */
    private static void put(JsonObject data, String entry, boolean literal, String where) {
        int equals = entry.indexOf('=');
        if (equals < 1) {
            throw new IllegalArgumentException(where + ": '" + entry + "' is not KEY=VALUE (a key alone, whose value"
                    + " kustomize takes from its own environment, is not implemented)");
        }
        String value = entry.substring(equals + 1);
        if (literal && value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')
                && value.charAt(value.length() - 1) == value.charAt(0)) {
            value = value.substring(1, value.length() - 1);
        }
        data.addProperty(entry.substring(0, equals), value);
    }

    /**
     * kustomize's name suffix for a generated ConfigMap: the SHA-256 of the JSON of its kind, name and data (keys
     * sorted, as Go's json.Marshal writes them), its first ten hex digits with 0, 1, 3, a and e replaced by g, h, k,
     * m and t. The name is always written empty: kustomize's hasher looks it up as one field called "metadata/name",
     * finds none and writes "" (api/hasher/hasher.go; its test expects 9g67k2htb6 for data {one: ""}, as kustomize
     * 5.5 names a generated ConfigMap of any name with that data).
     */
    static String configMapHash(JsonObject configMap) {
        StringBuilder json = new StringBuilder("{\"data\":{");
        JsonObject data = configMap.getAsJsonObject("data");
        List<String> keys = data.keySet().stream().sorted().toList();
        for (int i = 0; i < keys.size(); i++) {
            json.append(i == 0 ? "" : ",").append(goJsonString(keys.get(i))).append(':')
                    .append(goJsonString(data.get(keys.get(i)).getAsString()));
        }
        json.append("},\"kind\":\"ConfigMap\",\"name\":\"\"}");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(json.toString().getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String hex = HexFormat.of().formatHex(digest).substring(0, 10);
        return hex.replace('0', 'g').replace('1', 'h').replace('3', 'k').replace('a', 'm').replace('e', 't');
    }

    /** A string as Go's encoding/json writes it: HTML characters and control characters escaped. */
    private static String goJsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** Renames every ConfigMap a pod spec refers to (envFrom, env valueFrom, volumes) that {@code renamed} names. */
    private static void renameConfigMapReferences(JsonElement element, Map<String, String> renamed) {
        if (element.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
                if (CONFIG_MAP_REFERENCES.contains(entry.getKey()) && entry.getValue().isJsonObject()) {
                    JsonObject reference = entry.getValue().getAsJsonObject();
                    String name = string(reference, "name");
                    if (renamed.containsKey(name)) {
                        reference.addProperty("name", renamed.get(name));
                    }
                } else {
                    renameConfigMapReferences(entry.getValue(), renamed);
                }
            }
        } else if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(item -> renameConfigMapReferences(item, renamed));
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Reads the kustomization.yaml of {@code directory}, which must be of {@code kind} (Kustomization or Component). */
    private static JsonObject read(Path directory, String kind) {
        Path file = directory.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(directory + " has no kustomization.yaml");
        }
        List<JsonElement> documents = YamlJson.readAll(file);
        if (documents.size() != 1 || !documents.getFirst().isJsonObject()) {
            throw new IllegalArgumentException(file + " must hold one object");
        }
        JsonObject kustomization = documents.getFirst().getAsJsonObject();
        requireOnly(kustomization, IMPLEMENTED_FIELDS, file.toString());
        String apiVersion = kind.equals(COMPONENT) ? "kustomize.config.k8s.io/v1alpha1"
                : "kustomize.config.k8s.io/v1beta1";
        if (!apiVersion.equals(string(kustomization, "apiVersion")) || !kind.equals(string(kustomization, "kind"))) {
            throw new IllegalArgumentException(file + " is not a " + apiVersion + " " + kind);
        }
        return kustomization;
    }

    /** kustomize refuses two objects with the same kind and name (these manifests set no namespaces). */
    private static void requireUniqueIds(List<JsonObject> objects, Path directory) {
        Set<String> ids = new HashSet<>();
        for (JsonObject object : objects) {
            String id = string(object, "kind") + "/" + string(object.getAsJsonObject("metadata"), "name");
            if (!ids.add(id)) {
                throw new IllegalArgumentException(directory + " has " + id + " twice");
            }
        }
    }

    private static void applyPatch(JsonObject patch, List<JsonObject> objects, Path directory) {
        requireOnly(patch, IMPLEMENTED_PATCH_FIELDS, directory + " patch");
        JsonObject target = patch.getAsJsonObject("target");
        if (target == null || patch.get("patch") == null) {
            throw new IllegalArgumentException(directory + ": a patch needs a target and an inline patch");
        }
        requireOnly(target, IMPLEMENTED_TARGET_FIELDS, directory + " patch target");
        List<JsonElement> documents = YamlJson.parseAll(patch.get("patch").getAsString(), directory + " patch");
        if (documents.size() != 1 || !documents.getFirst().isJsonArray()) {
            throw new IllegalArgumentException(directory + ": only JSON 6902 patches (a list of operations) are"
                    + " implemented, not strategic merge patches");
        }
        String kind = string(target, "kind");
        String name = string(target, "name");
        List<JsonObject> matches = objects.stream()
                .filter(object -> kind.equals(string(object, "kind"))
                        && name.equals(string(object.getAsJsonObject("metadata"), "name")))
                .toList();
        // Stricter than kustomize, which ignores a target that matches nothing: here that is a mistake.
        if (matches.isEmpty()) {
            throw new IllegalArgumentException(directory + ": patch target " + kind + "/" + name + " matches nothing");
        }
        for (JsonObject match : matches) {
            JsonPatch.apply(match, documents.getFirst().getAsJsonArray());
        }
    }

    private static void setImage(JsonObject image, List<JsonObject> objects, Path directory) {
        requireOnly(image, IMPLEMENTED_IMAGE_FIELDS, directory + " images");
        String name = string(image, "name");
        for (JsonObject object : objects) {
            for (JsonObject container : containers(object)) {
                ImageReference reference = ImageReference.parse(string(container, "image"));
                if (reference.name().equals(name)) {
                    String newName = image.has("newName") ? string(image, "newName") : reference.name();
                    String newTag = image.has("newTag") ? string(image, "newTag") : reference.tag();
                    container.addProperty("image", new ImageReference(newName, newTag, reference.digest()).toString());
                }
            }
        }
    }

    /** Every container and init container anywhere inside {@code element}. */
    static List<JsonObject> containers(JsonElement element) {
        List<JsonObject> containers = new ArrayList<>();
        if (element.isJsonObject()) {
            for (Map.Entry<String, JsonElement> entry : element.getAsJsonObject().entrySet()) {
                if (CONTAINER_LISTS.contains(entry.getKey()) && entry.getValue().isJsonArray()) {
                    entry.getValue().getAsJsonArray().forEach(container -> containers.add(container.getAsJsonObject()));
                } else {
                    containers.addAll(containers(entry.getValue()));
                }
            }
        } else if (element.isJsonArray()) {
            element.getAsJsonArray().forEach(item -> containers.addAll(containers(item)));
        }
        return containers;
    }

    private static JsonArray list(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value == null ? new JsonArray() : value.getAsJsonArray();
    }

    private static String string(JsonObject object, String field) {
        JsonElement value = object == null ? null : object.get(field);
        return value == null || value.isJsonNull() ? null : value.getAsString();
    }

    private static void requireOnly(JsonObject object, Set<String> implemented, String where) {
        for (String field : object.keySet()) {
            if (!implemented.contains(field)) {
                throw new IllegalArgumentException(where + " uses '" + field
                        + "', which this renderer does not implement (it knows " + implemented + ")");
            }
        }
    }
}
