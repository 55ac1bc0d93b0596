package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.Quantity;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kserve and kserve-gpu overlays: KServe's custom resources (checked by {@link CustomResources}) with the server's
 * configuration for a cluster, and the PersistentVolumeClaim and Job that bring the models image's repository to
 * where the InferenceService's storageUri points.
 */
class KServeOverlayTest {

    /** The protocol names KServe knows; v2 is the Open Inference Protocol. */
    private static final Set<String> KSERVE_PROTOCOLS = Set.of("v1", "v2", "grpc-v1", "grpc-v2");
    /** pvc://claim/path, KServe's PVC storage URI. */
    private static final Pattern PVC_URI = Pattern.compile("pvc://([a-z0-9.-]+)/(.+)");

    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void overlay_everyObjectIsValid(String overlay) {
        for (JsonObject object : Manifests.render(overlay).objects()) {
            if (CustomResources.knows(object)) {
                assertThatCode(() -> CustomResources.validate(object)).doesNotThrowAnyException();
            } else {
                assertThatCode(() -> KubernetesApiTypes.validate(object)).doesNotThrowAnyException();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void servingRuntime_runsShallowserveSpeakingTheOpenInferenceProtocol(String overlay) {
        JsonObject spec = Manifests.render(overlay).one("ServingRuntime").getAsJsonObject("spec");

        assertThat(strings(spec, "protocolVersions")).isSubsetOf(KSERVE_PROTOCOLS).contains("v2", "grpc-v2");
        assertThat(spec.getAsJsonArray("supportedModelFormats").asList()).isNotEmpty();
        assertThat(spec.getAsJsonArray("containers").asList()).hasSize(1);
        // KServe finds the predictor's container by this name.
        assertThat(container(spec).get("name").getAsString()).isEqualTo("kserve-container");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void servingRuntime_containerServesItsPortsAndReadsModelsWhereKServePutsThem(String overlay) {
        Manifests kserve = Manifests.render(overlay);
        JsonObject runtime = kserve.one("ServingRuntime");
        JsonObject container = container(runtime.getAsJsonObject("spec"));
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
        for (String resource : List.of("cpu", "memory")) {
            assertThat(new Quantity(Manifests.at(container, "resources", "requests", resource).getAsString()))
                    .as("%s request equals its limit (Guaranteed QoS)", resource)
                    .isEqualTo(new Quantity(Manifests.at(container, "resources", "limits", resource).getAsString()));
        }
        assertThat(Manifests.at(container, "securityContext", "runAsNonRoot")).as("runAsNonRoot").hasToString("true");
        assertThat(Manifests.at(container, "securityContext", "readOnlyRootFilesystem")).as("readOnlyRootFilesystem")
                .hasToString("true");
        assertThat(Manifests.at(container, "securityContext", "capabilities", "drop")).as("dropped capabilities")
                .hasToString("[\"ALL\"]");
        assertThat(Manifests.at(container, "securityContext", "seccompProfile", "type")).as("seccomp")
                .hasToString("\"RuntimeDefault\"");
    }

    /** What k8s/base configures for a cluster, the runtime configures too (base/server.env says why). */
    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void servingRuntime_configuresTheServerForAClusterAsTheDeploymentDoes(String overlay) {
        Manifests kserve = Manifests.render(overlay);
        ServerConfiguration runtime = ServerConfiguration.ofServer()
                .in(container(kserve.one("ServingRuntime").getAsJsonObject("spec")), kserve.objects());
        ServerConfiguration deployment = Manifests.render("overlays/cpu").serverConfiguration();

        // Through KServe's Service a load or unload changes one pod, and anyone reaching the route could make it.
        assertThat(runtime.loadApi()).as("shallowserve.repository.load-api (%s)", runtime.source()).isFalse();
        assertThat(runtime.readinessModels()).as("readiness (%s)", runtime.source())
                .isEqualTo(deployment.readinessModels());
        assertThat(runtime.cpuFallback()).as("cpu-fallback (%s)", runtime.source()).isEqualTo(deployment.cpuFallback());
        assertThat(runtime.grpcMaxConnectionAge()).as("gRPC max connection age (%s)", runtime.source())
                .isEqualTo(deployment.grpcMaxConnectionAge());
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void inferenceService_servesItsModelsWithTheShallowserveRuntime(String overlay) {
        Manifests kserve = Manifests.render(overlay);
        JsonObject service = kserve.one("InferenceService");
        JsonObject runtime = kserve.one("ServingRuntime");
        JsonObject model = Manifests.at(service, "spec", "predictor", "model").getAsJsonObject();

        assertThat(model.get("runtime").getAsString()).isEqualTo(KubernetesApiTypes.name(runtime));
        List<String> formats = runtime.getAsJsonObject("spec").getAsJsonArray("supportedModelFormats").asList().stream()
                .map(format -> format.getAsJsonObject().get("name").getAsString()).toList();
        assertThat(Manifests.at(model, "modelFormat", "name").getAsString()).isIn(formats);
        assertThat(model.get("protocolVersion").getAsString()).isIn(strings(runtime.getAsJsonObject("spec"),
                "protocolVersions"));
        // Knative, KServe's Serverless mode, routes one container port; the runtime has two.
        assertThat(Manifests.at(service, "metadata", "annotations", "serving.kserve.io/deploymentMode"))
                .as("the InferenceService's deployment mode").hasToString("\"RawDeployment\"");
        // Without it KServe leaves the runtime's prometheus.kserve.io annotations off the pods.
        assertThat(Manifests.at(service, "metadata", "annotations", "serving.kserve.io/enable-prometheus-scraping"))
                .as("Prometheus scraping of the predictor pods").hasToString("\"true\"");
    }

    /**
     * storageUri pvc://claim/path: the overlay has that claim, and a Job that copies the models image's repository
     * (the image the Deployment's init container copies from) into that path of it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"overlays/kserve", "overlays/kserve-gpu"})
    void models_comeFromAClaimThatAJobFillsFromTheModelsImage(String overlay) {
        Manifests kserve = Manifests.render(overlay);
        String storageUri = Manifests.at(kserve.one("InferenceService"), "spec", "predictor", "model", "storageUri")
                .getAsString();
        Matcher uri = PVC_URI.matcher(storageUri);
        assertThat(uri.matches()).as("storageUri %s is pvc://claim/path", storageUri).isTrue();
        String claim = uri.group(1);
        String folder = uri.group(2);

        JsonObject volumeClaim = kserve.named("PersistentVolumeClaim", claim);
        // The Job writes once; predictor pods on any node read.
        assertThat(strings(volumeClaim.getAsJsonObject("spec"), "accessModes")).as("the claim's access modes")
                .contains("ReadWriteMany");
        JsonObject pod = Manifests.at(kserve.one("Job"), "spec", "template", "spec").getAsJsonObject();
        String volume = pod.getAsJsonArray("volumes").asList().stream().map(JsonElement::getAsJsonObject)
                .filter(declared -> {
                    JsonElement claimName = Manifests.at(declared, "persistentVolumeClaim", "claimName");
                    return claimName != null && claimName.getAsString().equals(claim);
                })
                .map(declared -> declared.get("name").getAsString()).findFirst()
                .orElseThrow(() -> new AssertionError("the Job mounts no volume of claim " + claim));
        JsonObject copy = pod.getAsJsonArray("containers").get(0).getAsJsonObject();
        String mountPath = copy.getAsJsonArray("volumeMounts").asList().stream().map(JsonElement::getAsJsonObject)
                .filter(mount -> mount.get("name").getAsString().equals(volume))
                .map(mount -> mount.get("mountPath").getAsString()).findFirst()
                .orElseThrow(() -> new AssertionError("the Job's container does not mount " + volume));
        String script = String.join(" ", strings(copy, "command"));
        JsonObject initContainer = Manifests.render("base").podSpec().getAsJsonArray("initContainers").get(0)
                .getAsJsonObject();

        assertThat(ImageReference.parse(copy.get("image").getAsString()).name()).as("the Job's image")
                .isEqualTo(ImageReference.parse(initContainer.get("image").getAsString()).name());
        // The models image holds the repository where the init container copies it from.
        assertThat(strings(initContainer, "command")).as("the init container's command").contains("/models/.");
        assertThat(script).as("the Job copies the models image's repository").contains("/models/.")
                .contains(" " + mountPath + "/" + folder + ";");
        assertThat(Manifests.at(copy, "securityContext", "readOnlyRootFilesystem")).hasToString("true");
        assertThat(Manifests.at(pod, "securityContext", "runAsNonRoot")).hasToString("true");
    }

    @Test
    void gpuOverlay_runsTheCudaBuildOnOneGpu() {
        Manifests gpu = Manifests.render("overlays/kserve-gpu");
        JsonObject container = container(gpu.one("ServingRuntime").getAsJsonObject("spec"));

        assertThat(ImageReference.parse(container.get("image").getAsString()).name()).as("image")
                .isEqualTo("shallowserve-gpu");
        assertThat(ServerConfiguration.ofServer().in(container, gpu.objects()).device()).as("device")
                .isEqualTo("cuda:0");
        assertThat(Manifests.at(container, "resources", "limits", "nvidia.com/gpu")).as("GPU limit").hasToString("\"1\"");
        assertThat(Manifests.at(container, "resources", "requests", "nvidia.com/gpu")).as("GPU request")
                .hasToString("\"1\"");
    }

    private static JsonObject container(JsonObject runtimeSpec) {
        return runtimeSpec.getAsJsonArray("containers").get(0).getAsJsonObject();
    }

    private static List<String> strings(JsonObject object, String field) {
        return object.getAsJsonArray(field).asList().stream().map(JsonElement::getAsString).toList();
    }
}
