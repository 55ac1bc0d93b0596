package io.shallowserve.k8s;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Checks manifests against the Kubernetes API types of client-java-api (generated from the Kubernetes OpenAPI
 * specification). Two checks, because one alone misses mistakes:
 * <ul>
 * <li>the model's {@code validateJsonElement}: unknown fields and missing required fields, at every depth;</li>
 * <li>a round trip through the model (JSON to object to JSON) that must give back the same JSON: it catches a wrong
 * type that {@code validateJsonElement} lets through, such as a port written as a string or a number where a
 * string belongs. Quantities must be written as strings ("2", "1Gi") for the same reason.</li>
 * </ul>
 */
final class KubernetesApiTypes {

    /** What {@code validateJsonElement} is: a static method of each generated model. */
    @FunctionalInterface
    interface Validator {
        void validate(JsonElement json) throws IOException;
    }

    private record ApiType(Class<?> model, Validator validator) {
    }

    /** The kinds k8s/ uses, by "apiVersion kind". */
    private static final Map<String, ApiType> TYPES = Map.ofEntries(
            Map.entry("v1 ServiceAccount",
                    new ApiType(V1ServiceAccount.class, V1ServiceAccount::validateJsonElement)),
            Map.entry("v1 ConfigMap",
                    new ApiType(V1ConfigMap.class, V1ConfigMap::validateJsonElement)),
            Map.entry("v1 Service",
                    new ApiType(V1Service.class, V1Service::validateJsonElement)),
            Map.entry("apps/v1 Deployment",
                    new ApiType(V1Deployment.class, V1Deployment::validateJsonElement)),
            Map.entry("policy/v1 PodDisruptionBudget",
                    new ApiType(V1PodDisruptionBudget.class, V1PodDisruptionBudget::validateJsonElement)),
            Map.entry("autoscaling/v2 HorizontalPodAutoscaler",
                    new ApiType(V2HorizontalPodAutoscaler.class, V2HorizontalPodAutoscaler::validateJsonElement)),
            Map.entry("networking.k8s.io/v1 NetworkPolicy",
                    new ApiType(V1NetworkPolicy.class, V1NetworkPolicy::validateJsonElement)),
            Map.entry("v1 PersistentVolumeClaim",
                    new ApiType(V1PersistentVolumeClaim.class, V1PersistentVolumeClaim::validateJsonElement)),
            Map.entry("batch/v1 Job", new ApiType(V1Job.class, V1Job::validateJsonElement)));

    /** Top-level fields every object has, custom resources included. */
    static final Set<String> OBJECT_FIELDS = Set.of("apiVersion", "kind", "metadata", "spec");

    private static final Gson GSON = JSON.getGson();

    private KubernetesApiTypes() {
    }

    /**
     * Checks a built-in object.
     *
     * @throws IllegalArgumentException naming the object and what is wrong
     */
    static void validate(JsonObject object) {
        String key = typeKey(object);
        ApiType type = TYPES.get(key);
        if (type == null) {
            throw new IllegalArgumentException("'" + key + "' is not a Kubernetes type these tests know; known: "
                    + TYPES.keySet());
        }
        String where = key + " " + name(object);
        check(object, type, where);
    }

    /**
     * Checks a part of a custom resource that is a Kubernetes type (a container, a volume, a pod spec), as that type.
     *
     * @param validator the model's {@code validateJsonElement}
     */
    static void validatePart(JsonObject json, Class<?> model, Validator validator, String where) {
        check(json, new ApiType(model, validator), where);
    }

    /** Checks the metadata of a custom resource as ObjectMeta; it must name the object. */
    static void validateMetadata(JsonObject object, String where) {
        JsonObject metadata = object.getAsJsonObject("metadata");
        if (metadata == null || !metadata.has("name")) {
            throw new IllegalArgumentException(where + " has no metadata.name");
        }
        check(metadata, new ApiType(V1ObjectMeta.class, V1ObjectMeta::validateJsonElement), where + " metadata");
    }

    private static void check(JsonObject json, ApiType type, String where) {
        try {
            type.validator().validate(json);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(where + " is not a valid " + type.model().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        JsonElement roundTrip;
        try {
            roundTrip = GSON.toJsonTree(GSON.fromJson(json, type.model()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + " does not read as a " + type.model().getSimpleName() + ": "
                    + e.getMessage(), e);
        }
        String difference = firstDifference(json, roundTrip, "");
        if (difference != null) {
            throw new IllegalArgumentException(where + " has a value of the wrong type for "
                    + type.model().getSimpleName() + ": " + difference);
        }
    }

    /** Where {@code written} and {@code read} first differ, or null when they are equal. */
    private static String firstDifference(JsonElement written, JsonElement read, String path) {
        if (written.isJsonObject() && read.isJsonObject()) {
            JsonObject writtenObject = written.getAsJsonObject();
            JsonObject readObject = read.getAsJsonObject();
            for (String field : writtenObject.keySet()) {
                if (!readObject.has(field)) {
                    return path + "/" + field + " is " + writtenObject.get(field) + " but the API type drops it";
                }
                String difference = firstDifference(writtenObject.get(field), readObject.get(field), path + "/" + field);
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        if (written.isJsonArray() && read.isJsonArray() && written.getAsJsonArray().size() == read.getAsJsonArray().size()) {
            JsonArray writtenArray = written.getAsJsonArray();
            for (int i = 0; i < writtenArray.size(); i++) {
                String difference = firstDifference(writtenArray.get(i), read.getAsJsonArray().get(i), path + "/" + i);
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        return written.equals(read) ? null
                : path + " is written " + written + " but the API type reads it as " + read;
    }

    private static String typeKey(JsonObject object) {
        return string(object, "apiVersion") + " " + string(object, "kind");
    }

    static String name(JsonObject object) {
        JsonObject metadata = object.getAsJsonObject("metadata");
        return metadata == null ? null : string(metadata, "name");
    }

    private static String string(JsonObject object, String field) {
        JsonElement value = object.get(field);
        return value == null || !value.isJsonPrimitive() ? null : value.getAsString();
    }
}
