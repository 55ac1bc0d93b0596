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
    void servingRuntime_containerServesItsPortsAndReadsModelsWhereKServePutsThem() {
        JsonObject runtime = kserve.one("ServingRuntime");
        JsonObject container = runtime.getAsJsonObject("spec").getAsJsonArray("containers").get(0).getAsJsonObject();
        ServerConfiguration server = ServerConfiguration.ofServer().in(container, kserve.objects());

        List<JsonElement> ports = container.getAsJsonArray("ports").asList();
        assertThat(ports).as("the container's ports: HTTP and gRPC").hasSize(2);
        JsonObject http = ports.get(0).getAsJsonObject();
        JsonObject grpc = ports.get(1).getAsJsonObject();
        // KServe's Service takes the first port as its port 80, where REST (v2) clients and KServe's routes go.
        assertThat(http.get("containerPort").getAsInt()).as("the first container port, HTTP (%s)", server.source())
                .isEqualTo(server.port());
        assertThat(grpc.get("containerPort").getAsInt()).as("the second container port, gRPC (%s)", server.source())
                .isEqualTo(server.grpcPort());
        // KServe gives a port whose name holds h2c or grpc appProtocol kubernetes.io/h2c: HTTP/2 without TLS.
        assertThat(grpc.get("name").getAsString()).as("the gRPC port's name").isEqualTo("h2c");
        assertThat(http.get("name").getAsString()).as("the HTTP port's name").doesNotContain("h2c", "grpc");
        assertThat(Manifests.at(container, "readinessProbe", "httpGet", "port")).as("the readiness probe's port")
                .hasToString(Integer.toString(server.port()));
        assertThat(Manifests.at(runtime, "spec", "annotations", "prometheus.kserve.io/port"))
                .as("the port KServe scrapes /metrics on, the HTTP port (%s)", server.source())
                .hasToString("\"" + server.port() + "\"");
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
        // Knative, KServe's Serverless mode, routes one container port; the runtime has two.
        assertThat(Manifests.at(service, "metadata", "annotations", "serving.kserve.io/deploymentMode"))
                .as("the InferenceService's deployment mode").hasToString("\"RawDeployment\"");
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
