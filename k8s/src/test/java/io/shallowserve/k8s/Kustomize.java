package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization as {@code kustomize build} would, for the part of kustomize that k8s/ uses: resources
 * (files and directories), patches (JSON 6902, selected by kind and name) and images (new name, new tag). Anything
 * else in a kustomization fails, so that an overlay cannot use a feature these tests would silently ignore.
 */
final class Kustomize {

    private static final Set<String> IMPLEMENTED_FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "images");
    private static final Set<String> IMPLEMENTED_PATCH_FIELDS = Set.of("target", "patch");
    private static final Set<String> IMPLEMENTED_TARGET_FIELDS = Set.of("kind", "name");
    private static final Set<String> IMPLEMENTED_IMAGE_FIELDS = Set.of("name", "newName", "newTag");
    /** Where the images transformer finds images: as in kustomize, any list of containers in any object. */
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers");

    private Kustomize() {
    }

    /** The objects that {@code kustomize build directory} prints, in the order of the resources. */
    static List<JsonObject> render(Path directory) {
        JsonObject kustomization = read(directory);
        List<JsonObject> objects = new ArrayList<>();
        for (JsonElement resource : list(kustomization, "resources")) {
            Path path = directory.resolve(resource.getAsString()).normalize();
            if (Files.isDirectory(path)) {
                objects.addAll(render(path));
            } else {
                for (JsonElement document : YamlJson.readAll(path)) {
                    objects.add(document.getAsJsonObject());
                }
            }
        }
        requireUniqueIds(objects, directory);
        // kustomize runs its patches before its images transformer.
        for (JsonElement patch : list(kustomization, "patches")) {
            applyPatch(patch.getAsJsonObject(), objects, directory);
        }
        for (JsonElement image : list(kustomization, "images")) {
            setImage(image.getAsJsonObject(), objects, directory);
        }
        return objects;
    }

    private static JsonObject read(Path directory) {
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
        if (!"kustomize.config.k8s.io/v1beta1".equals(string(kustomization, "apiVersion"))
                || !"Kustomization".equals(string(kustomization, "kind"))) {
            throw new IllegalArgumentException(file + " is not a kustomize.config.k8s.io/v1beta1 Kustomization");
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
