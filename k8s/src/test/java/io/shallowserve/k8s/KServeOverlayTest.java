package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The kserve overlay holds custom resources that client-java-api has no types for: their own rules check them, and
 * the core types they embed (the container, the volumes, the metadata) are checked as Kubernetes types.
 */
class KServeOverlayTest {

    /** The protocol names KServe knows; v2 is the Open Inference Protocol. */
    private static final Set<String> KSERVE_PROTOCOLS = Set.of("v1", "v2", "grpc-v1", "grpc-v2");

    private final Manifests kserve = Manifests.render("overlays/kserve");

    @Test
    void servingRuntime_runsShallowserveSpeakingTheOpenInferenceProtocol() {
        JsonObject runtime = kserve.one("ServingRuntime");
        assertCustomResource(runtime, "serving.kserve.io/v1alpha1");
        JsonObject spec = runtime.getAsJsonObject("spec");

        assertThat(strings(spec, "protocolVersions")).isSubsetOf(KSERVE_PROTOCOLS).contains("v2", "grpc-v2");
        assertThat(spec.getAsJsonArray("supportedModelFormats").asList())
                .isNotEmpty().allMatch(format -> format.getAsJsonObject().has("name"));
        assertThat(spec.getAsJsonArray("containers").asList()).hasSize(1);
        JsonObject container = spec.getAsJsonArray("containers").get(0).getAsJsonObject();
        // KServe finds the predictor's container by this name.
        assertThat(container.get("name").getAsString()).isEqualTo("kserve-container");
        assertThatCode(() -> KubernetesApiTypes.validateContainer(container, "ServingRuntime container"))
                .doesNotThrowAnyException();
        for (JsonElement volume : spec.getAsJsonArray("volumes")) {
            assertThatCode(() -> KubernetesApiTypes.validateVolume(volume.getAsJsonObject(), "ServingRuntime volume"))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void servingRuntime_containerServesItsPortAndReadsModelsWhereKServePutsThem() {
        JsonObject container = kserve.one("ServingRuntime").getAsJsonObject("spec").getAsJsonArray("containers")
                .get(0).getAsJsonObject();
        ServerConfiguration server = ServerConfiguration.ofServer().in(container, kserve.objects());

        List<JsonElement> ports = container.getAsJsonArray("ports").asList();
        assertThat(ports).as("the container's ports: one, as Knative allows").hasSize(1);
        JsonObject port = ports.getFirst().getAsJsonObject();
        assertThat(port.get("containerPort").getAsInt()).as("the container port (%s)", server.source())
                .isEqualTo(server.port());
        // Named h2c, Knative forwards HTTP/2, which gRPC needs; the server takes REST over it as well.
        assertThat(port.get("name").getAsString()).as("the container port's name").isEqualTo("h2c");
        assertThat(server.grpcServingPort()).as("the port serving gRPC (%s)", server.source()).isEqualTo(server.port());
        assertThat(Manifests.at(container, "readinessProbe", "httpGet", "port")).as("the readiness probe's port")
                .hasToString(Integer.toString(server.port()));
        assertThat(server.models()).as("the model repository (%s)", server.source()).isEqualTo("/mnt/models");
        assertThat(ImageReference.parse(container.get("image").getAsString()).pinned()).as("image pinned").isTrue();
        assertThat(Manifests.at(container, "resources", "limits", "cpu")).as("cpu limit").isNotNull();
        assertThat(Manifests.at(container, "resources", "limits", "memory")).as("memory limit").isNotNull();
        assertThat(Manifests.at(container, "securityContext", "runAsNonRoot")).as("runAsNonRoot").hasToString("true");
        assertThat(Manifests.at(container, "securityContext", "readOnlyRootFilesystem")).as("readOnlyRootFilesystem")
                .hasToString("true");
        assertThat(Manifests.at(container, "securityContext", "capabilities", "drop")).as("dropped capabilities")
                .hasToString("[\"ALL\"]");
        assertThat(Manifests.at(container, "securityContext", "seccompProfile", "type")).as("seccomp")
                .hasToString("\"RuntimeDefault\"");
    }

    @Test
    void inferenceService_servesItsModelsWithTheShallowserveRuntime() {
        JsonObject service = kserve.one("InferenceService");
        assertCustomResource(service, "serving.kserve.io/v1beta1");
        JsonObject runtime = kserve.one("ServingRuntime");
        JsonObject model = Manifests.at(service, "spec", "predictor", "model").getAsJsonObject();

        assertThat(model.get("runtime").getAsString()).isEqualTo(KubernetesApiTypes.name(runtime));
        List<String> formats = runtime.getAsJsonObject("spec").getAsJsonArray("supportedModelFormats").asList().stream()
                .map(format -> format.getAsJsonObject().get("name").getAsString()).toList();
        assertThat(Manifests.at(model, "modelFormat", "name").getAsString()).isIn(formats);
        assertThat(model.get("protocolVersion").getAsString()).isIn(strings(runtime.getAsJsonObject("spec"), "protocolVersions"));
        assertThat(model.get("storageUri").getAsString()).matches("[a-z0-9]+://.+");
    }

    private static void assertCustomResource(JsonObject object, String apiVersion) {
        assertThat(object.keySet()).isSubsetOf(KubernetesApiTypes.OBJECT_FIELDS).contains("spec");
        assertThat(object.get("apiVersion").getAsString()).isEqualTo(apiVersion);
        assertThatCode(() -> KubernetesApiTypes.validateMetadata(object, object.get("kind").getAsString()))
                .doesNotThrowAnyException();
    }

    private static List<String> strings(JsonObject object, String field) {
        return object.getAsJsonArray(field).asList().stream().map(JsonElement::getAsString).toList();
    }
}
