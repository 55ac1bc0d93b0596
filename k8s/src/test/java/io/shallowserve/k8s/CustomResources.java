package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.kubernetes.client.openapi.models.V1Affinity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1DeploymentStrategy;
import io.kubernetes.client.openapi.models.V1LocalObjectReference;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V1Volume;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks the custom resources of k8s/ (KServe's ServingRuntime and InferenceService, Gateway API's GRPCRoute) against
 * the fields their Go types declare, transcribed below from KServe v0.20 (pkg/apis/serving/v1alpha1/
 * servingruntime_types.go, v1beta1/inference_service.go, predictor.go, predictor_model.go, component.go) and Gateway
 * API v1 (apis/v1/grpcroute_types.go, shared_types.go): an unknown field, a missing required one or a value of the
 * wrong kind fails, and every Kubernetes type they embed (containers, volumes, the predictor's pod spec) is checked as
 * that type by client-java ({@link KubernetesApiTypes}). Fields not used here are listed by name and their values not
 * looked into. Their published CRD schemas cannot be loaded here; this is the offline part of that check.
 */
final class CustomResources {

    /** What a field may hold. */
    private sealed interface Shape {
    }

    /** A string, a number or a boolean. */
    private record Scalar(Class<?> type) implements Shape {
    }

    /** A map of strings to strings (labels, annotations, node selectors). */
    private record StringMap() implements Shape {
    }

    /** A list, each item of the shape. */
    private record ListOf(Shape item) implements Shape {
    }

    /** A field these manifests do not use: allowed by name, its value not looked into. */
    private record Unchecked() implements Shape {
    }

    /** A Kubernetes type, checked by client-java. */
    private record Core(Class<?> model, KubernetesApiTypes.Validator validator) implements Shape {
    }

    /**
     * An object of known fields. {@code inline}, when set, is a Kubernetes type the Go struct embeds inline: fields
     * not listed here must be its fields, and are checked as that type with {@code inlineDefaults} added for what the
     * type requires and the custom resource fills in itself (a predictor's containers, a model's container name).
     */
    private record Fields(Map<String, Shape> fields, Set<String> required, Core inline,
                          Map<String, JsonElement> inlineDefaults) implements Shape {
        Fields(Map<String, Shape> fields, Set<String> required) {
            this(fields, required, null, Map.of());
        }
    }

    private static final Shape STRING = new Scalar(String.class);
    private static final Shape NUMBER = new Scalar(Number.class);
    private static final Shape BOOLEAN = new Scalar(Boolean.class);
    private static final Shape ANY = new Unchecked();

    private static final Fields SERVING_RUNTIME_SPEC = new Fields(Map.ofEntries(
            Map.entry("supportedModelFormats", new ListOf(new Fields(Map.of("name", STRING, "version", STRING,
                    "autoSelect", BOOLEAN, "priority", NUMBER), Set.of("name")))),
            Map.entry("multiModel", BOOLEAN),
            Map.entry("disabled", BOOLEAN),
            Map.entry("protocolVersions", new ListOf(STRING)),
            Map.entry("workerSpec", ANY),
            // ServingRuntimePodSpec, inline.
            Map.entry("containers", new ListOf(new Core(V1Container.class, V1Container::validateJsonElement))),
            Map.entry("volumes", new ListOf(new Core(V1Volume.class, V1Volume::validateJsonElement))),
            Map.entry("nodeSelector", new StringMap()),
            Map.entry("affinity", new Core(V1Affinity.class, V1Affinity::validateJsonElement)),
            Map.entry("tolerations", new ListOf(new Core(V1Toleration.class, V1Toleration::validateJsonElement))),
            Map.entry("labels", new StringMap()),
            Map.entry("annotations", new StringMap()),
            Map.entry("imagePullSecrets", new ListOf(new Core(V1LocalObjectReference.class,
                    V1LocalObjectReference::validateJsonElement))),
            Map.entry("hostIPC", BOOLEAN),
            Map.entry("schedulerName", STRING),
            Map.entry("resourceClaims", ANY),
            // ModelMesh's fields.
            Map.entry("grpcEndpoint", STRING),
            Map.entry("grpcDataEndpoint", STRING),
            Map.entry("httpDataEndpoint", STRING),
            Map.entry("replicas", NUMBER),
            Map.entry("storageHelper", ANY),
            Map.entry("builtInAdapter", ANY)), Set.of("containers"));

    /** ModelSpec: its own fields, PredictorExtensionSpec's, and a container inline (its name KServe sets). */
    private static final Fields MODEL_SPEC = new Fields(Map.of(
            "modelFormat", new Fields(Map.of("name", STRING, "version", STRING), Set.of("name")),
            "runtime", STRING,
            "storageUri", STRING,
            "runtimeVersion", STRING,
            "protocolVersion", STRING,
            "storage", ANY,
            "confidential", ANY), Set.of("modelFormat"),
            new Core(V1Container.class, V1Container::validateJsonElement),
            Map.of("name", new JsonPrimitive("kserve-container")));

    /** PredictorSpec: the model, ComponentExtensionSpec's fields, and a pod spec inline (its containers optional). */
    private static final Fields PREDICTOR_SPEC = new Fields(Map.ofEntries(
            Map.entry("model", MODEL_SPEC),
            Map.entry("sklearn", ANY), Map.entry("xgboost", ANY), Map.entry("tensorflow", ANY),
            Map.entry("pytorch", ANY), Map.entry("triton", ANY), Map.entry("onnx", ANY), Map.entry("huggingface", ANY),
            Map.entry("pmml", ANY), Map.entry("lightgbm", ANY), Map.entry("paddle", ANY),
            Map.entry("storageUris", ANY),
            Map.entry("storageContainerName", STRING),
            Map.entry("workerSpec", ANY),
            Map.entry("minReplicas", NUMBER),
            Map.entry("maxReplicas", NUMBER),
            Map.entry("scaleTarget", NUMBER),
            Map.entry("scaleMetric", STRING),
            Map.entry("scaleMetricType", STRING),
            Map.entry("autoScaling", ANY),
            Map.entry("containerConcurrency", NUMBER),
            Map.entry("timeout", NUMBER),
            Map.entry("canaryTrafficPercent", NUMBER),
            Map.entry("logger", ANY),
            Map.entry("batcher", ANY),
            Map.entry("labels", new StringMap()),
            Map.entry("annotations", new StringMap()),
            Map.entry("deploymentStrategy", new Core(V1DeploymentStrategy.class,
                    V1DeploymentStrategy::validateJsonElement))), Set.of(),
            new Core(V1PodSpec.class, V1PodSpec::validateJsonElement),
            Map.of("containers", new JsonArray()));

    private static final Fields INFERENCE_SERVICE_SPEC = new Fields(Map.of(
            "predictor", PREDICTOR_SPEC, "explainer", ANY, "transformer", ANY), Set.of("predictor"));

    /** Gateway API's ParentReference and BackendRef. */
    private static final Fields PARENT_REFERENCE = new Fields(Map.of("group", STRING, "kind", STRING,
            "namespace", STRING, "name", STRING, "sectionName", STRING, "port", NUMBER), Set.of("name"));
    private static final Fields GRPC_BACKEND_REF = new Fields(Map.of("group", STRING, "kind", STRING,
            "namespace", STRING, "name", STRING, "port", NUMBER, "weight", NUMBER, "filters", ANY), Set.of("name"));

    private static final Fields GRPC_ROUTE_SPEC = new Fields(Map.of(
            "parentRefs", new ListOf(PARENT_REFERENCE),
            "hostnames", new ListOf(STRING),
            "rules", new ListOf(new Fields(Map.of(
                    "name", STRING,
                    "matches", new ListOf(new Fields(Map.of(
                            "method", new Fields(Map.of("type", STRING, "service", STRING, "method", STRING), Set.of()),
                            "headers", new ListOf(new Fields(Map.of("type", STRING, "name", STRING, "value", STRING),
                                    Set.of("name", "value")))), Set.of())),
                    "filters", ANY,
                    "backendRefs", new ListOf(GRPC_BACKEND_REF),
                    "sessionPersistence", ANY), Set.of()))), Set.of());

    /** The spec of each custom resource, by "apiVersion kind". */
    private static final Map<String, Fields> SPECS = Map.of(
            "serving.kserve.io/v1alpha1 ServingRuntime", SERVING_RUNTIME_SPEC,
            "serving.kserve.io/v1beta1 InferenceService", INFERENCE_SERVICE_SPEC,
            "gateway.networking.k8s.io/v1 GRPCRoute", GRPC_ROUTE_SPEC);

    private CustomResources() {
    }

    /** True for the custom resources this class checks. */
    static boolean knows(JsonObject object) {
        return SPECS.containsKey(key(object));
    }

    /**
     * Checks a custom resource: apiVersion, kind, metadata (as ObjectMeta, with a name) and spec.
     *
     * @throws IllegalArgumentException naming the object, the field and what is wrong
     */
    static void validate(JsonObject object) {
        Fields spec = SPECS.get(key(object));
        String where = key(object) + " " + KubernetesApiTypes.name(object);
        if (spec == null) {
            throw new IllegalArgumentException("'" + key(object) + "' is not a custom resource these checks know; known: "
                    + SPECS.keySet());
        }
        for (String field : object.keySet()) {
            if (!KubernetesApiTypes.OBJECT_FIELDS.contains(field)) {
                throw new IllegalArgumentException(where + ": unknown field " + field);
            }
        }
        KubernetesApiTypes.validateMetadata(object, where);
        if (!object.has("spec")) {
            throw new IllegalArgumentException(where + " has no spec");
        }
        check(object.get("spec"), spec, where + " spec");
    }

    private static void check(JsonElement value, Shape shape, String where) {
        switch (shape) {
            case Unchecked unchecked -> {
            }
            case Scalar scalar -> {
                boolean matches = value.isJsonPrimitive() && switch (scalar.type().getSimpleName()) {
                    case "String" -> value.getAsJsonPrimitive().isString();
                    case "Number" -> value.getAsJsonPrimitive().isNumber();
                    default -> value.getAsJsonPrimitive().isBoolean();
                };
                if (!matches) {
                    throw new IllegalArgumentException(where + " is " + value + ", not a "
                            + scalar.type().getSimpleName().toLowerCase(Locale.ROOT));
                }
            }
            case StringMap map -> {
                if (!value.isJsonObject() || !value.getAsJsonObject().entrySet().stream()
                        .allMatch(entry -> entry.getValue().isJsonPrimitive()
                                && entry.getValue().getAsJsonPrimitive().isString())) {
                    throw new IllegalArgumentException(where + " is " + value + ", not a map of strings");
                }
            }
            case ListOf list -> {
                if (!value.isJsonArray()) {
                    throw new IllegalArgumentException(where + " is " + value + ", not a list");
                }
                List<JsonElement> items = value.getAsJsonArray().asList();
                for (int i = 0; i < items.size(); i++) {
                    check(items.get(i), list.item(), where + "[" + i + "]");
                }
            }
            case Core core -> {
                if (!value.isJsonObject()) {
                    throw new IllegalArgumentException(where + " is " + value + ", not a " + core.model().getSimpleName());
                }
                KubernetesApiTypes.validatePart(value.getAsJsonObject(), core.model(), core.validator(), where);
            }
            case Fields fields -> checkFields(value, fields, where);
        }
    }

    private static void checkFields(JsonElement value, Fields fields, String where) {
        if (!value.isJsonObject()) {
            throw new IllegalArgumentException(where + " is " + value + ", not an object");
        }
        JsonObject object = value.getAsJsonObject();
        for (String required : fields.required()) {
            if (!object.has(required)) {
                throw new IllegalArgumentException(where + " has no " + required);
            }
        }
        JsonObject inline = new JsonObject();
        for (Map.Entry<String, JsonElement> field : object.entrySet()) {
            Shape shape = fields.fields().get(field.getKey());
            if (shape != null) {
                check(field.getValue(), shape, where + "." + field.getKey());
            } else if (fields.inline() != null) {
                inline.add(field.getKey(), field.getValue());
            } else {
                throw new IllegalArgumentException(where + ": unknown field " + field.getKey() + " (known: "
                        + fields.fields().keySet() + ")");
            }
        }
        if (fields.inline() != null) {
            Map<String, JsonElement> completed = new HashMap<>(fields.inlineDefaults());
            inline.entrySet().forEach(field -> completed.put(field.getKey(), field.getValue()));
            JsonObject part = new JsonObject();
            completed.forEach(part::add);
            check(part, fields.inline(), where + " (inline " + fields.inline().model().getSimpleName() + ")");
        }
    }

    private static String key(JsonObject object) {
        JsonElement apiVersion = object.get("apiVersion");
        JsonElement kind = object.get("kind");
        return (apiVersion == null ? null : apiVersion.getAsString()) + " " + (kind == null ? null : kind.getAsString());
    }
}
