package io.shallowserve.k8s;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The rendered objects of one kustomization, and the look-ups the checks share. */
record Manifests(String kustomization, List<JsonObject> objects) {

    /** The k8s module's folder: Maven runs the tests there. */
    static final Path K8S = Path.of("").toAbsolutePath();

    /** Renders k8s/{@code kustomization} (e.g. "overlays/cpu"). */
    static Manifests render(String kustomization) {
        return new Manifests(kustomization, Kustomize.render(K8S.resolve(kustomization)));
    }

    List<JsonObject> all(String kind) {
        return objects.stream().filter(object -> kind.equals(object.get("kind").getAsString())).toList();
    }

    /** The one object of {@code kind}; fails if there is none or more than one. */
    JsonObject one(String kind) {
        List<JsonObject> found = all(kind);
        if (found.size() != 1) {
            throw new IllegalArgumentException(kustomization + " has " + found.size() + " " + kind + " objects, not one");
        }
        return found.getFirst();
    }

    JsonObject named(String kind, String name) {
        return all(kind).stream()
                .filter(object -> name.equals(KubernetesApiTypes.name(object)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(kustomization + " has no " + kind + " " + name));
    }

    /** The pod template's spec of the one Deployment. */
    JsonObject podSpec() {
        return one("Deployment").getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec");
    }

    /** The Deployment's container that runs the server: the first, as the gpu overlay's patches assume. */
    JsonObject serverContainer() {
        return podSpec().getAsJsonArray("containers").get(0).getAsJsonObject();
    }

    /** Init containers and containers of the Deployment. */
    List<JsonObject> podContainers() {
        List<JsonObject> containers = new ArrayList<>();
        for (String list : List.of("initContainers", "containers")) {
            JsonArray array = podSpec().getAsJsonArray(list);
            if (array != null) {
                array.forEach(container -> containers.add(container.getAsJsonObject()));
            }
        }
        return containers;
    }

    /** The server's configuration as the Deployment's server container sees it. */
    ServerConfiguration serverConfiguration() {
        return ServerConfiguration.ofServer().in(serverContainer(), objects);
    }

    /**
     * The container port number that {@code port} means in {@code container}: a number as it is, a name looked up
     * among the container's ports; -1 when no port has that name.
     */
    static int containerPort(JsonObject container, JsonElement port) {
        if (port.getAsJsonPrimitive().isNumber()) {
            return port.getAsInt();
        }
        if (container.has("ports")) {
            for (JsonElement declared : container.getAsJsonArray("ports")) {
                JsonObject declaredPort = declared.getAsJsonObject();
                if (declaredPort.has("name") && declaredPort.get("name").getAsString().equals(port.getAsString())) {
                    return declaredPort.get("containerPort").getAsInt();
                }
            }
        }
        return -1;
    }

    /** The value at a path of field names, or null where any of them is missing. */
    static JsonElement at(JsonObject object, String... path) {
        JsonElement current = object;
        for (String field : path) {
            if (current == null || !current.isJsonObject()) {
                return null;
            }
            current = current.getAsJsonObject().get(field);
        }
        return current;
    }

    /** True for a Service without a cluster IP, whose DNS name resolves to the pods themselves. */
    static boolean headless(JsonObject service) {
        JsonElement clusterIp = at(service, "spec", "clusterIP");
        return clusterIp != null && clusterIp.getAsString().equals("None");
    }

    /** True when every label of {@code selector} is among {@code labels}. */
    static boolean selects(JsonObject selector, JsonObject labels) {
        return labels != null && selector.entrySet().stream()
                .allMatch(label -> label.getValue().equals(labels.get(label.getKey())));
    }

    /**
     * True when {@code labels} satisfy a Kubernetes LabelSelector: all of its matchLabels and all of its
     * matchExpressions. Like the kustomize renderer, this knows only what the manifests use, the operator NotIn
     * (which holds where the label is missing, as in Kubernetes), and fails on any other.
     */
    static boolean matches(JsonObject labelSelector, JsonObject labels) {
        JsonObject present = labels == null ? new JsonObject() : labels;
        if (labelSelector.has("matchLabels") && !selects(labelSelector.getAsJsonObject("matchLabels"), present)) {
            return false;
        }
        if (labelSelector.has("matchExpressions")) {
            for (JsonElement element : labelSelector.getAsJsonArray("matchExpressions")) {
                JsonObject expression = element.getAsJsonObject();
                String operator = expression.get("operator").getAsString();
                if (!operator.equals("NotIn")) {
                    throw new IllegalArgumentException("label selector operator " + operator + ": these checks know"
                            + " only NotIn; teach Manifests.matches the operator first");
                }
                JsonElement value = present.get(expression.get("key").getAsString());
                if (value != null && expression.getAsJsonArray("values").asList().contains(value)) {
                    return false;
                }
            }
        }
        return true;
    }
}
