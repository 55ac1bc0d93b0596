package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KustomizeTest {

    private static final String KUSTOMIZATION = """
            apiVersion: kustomize.config.k8s.io/v1beta1
            kind: Kustomization
            """;

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: app
            spec:
              template:
                spec:
                  initContainers:
                    - name: fetch
                      image: registry:5000/tools:1.0
                  containers:
                    - name: server
                      image: server:1.0
                      resources:
                        limits:
                          cpu: "1"
            """;

    @TempDir
    Path directory;

    @Test
    void render_baseHasEveryObjectAnOperatorApplies() {
        List<String> objects = Manifests.render("base").objects().stream()
                .map(object -> object.get("kind").getAsString() + "/" + KubernetesApiTypes.name(object))
                .toList();

        assertThat(objects).hasSize(8).containsAll(List.of(
                "ServiceAccount/shallowserve", "Deployment/shallowserve",
                "Service/shallowserve", "Service/shallowserve-headless", "PodDisruptionBudget/shallowserve",
                "HorizontalPodAutoscaler/shallowserve", "NetworkPolicy/shallowserve"))
                .anyMatch(object -> object.matches("ConfigMap/shallowserve-config-[a-z0-9]{10}"));
    }

    /** The names below are what kustomize v5.5.0 (kubectl 1.32) printed for the same kustomization. */
    @Test
    void render_configMapGeneratorNamesTheConfigMapByItsContentAndRenamesTheDeploymentsReferences()
            throws IOException {
        writeGeneratorBase();

        List<JsonObject> objects = Kustomize.render(directory.resolve("base"));

        JsonObject configMap = objects.stream().filter(object -> object.get("kind").getAsString().equals("ConfigMap"))
                .findFirst().orElseThrow();
        assertThat(KubernetesApiTypes.name(configMap)).isEqualTo("config-mmbcfhtd52");
        assertThat(configMap.getAsJsonObject("data").toString())
                .isEqualTo("{\"PLAIN\":\"x=1\",\"INDENTED\":\"y \",\"QUOTED\":\"a <b> & c\"}");
        String deployment = objects.stream().filter(object -> object.get("kind").getAsString().equals("Deployment"))
                .findFirst().orElseThrow().toString();
        assertThat(deployment).contains("\"configMapRef\":{\"name\":\"config-mmbcfhtd52\"}")
                .contains("\"configMap\":{\"name\":\"config-mmbcfhtd52\"}");
    }

    @Test
    void render_configMapGeneratorMergedByAnOverlayIsNamedAfterTheMergedContent() throws IOException {
        writeGeneratorBase();
        write("overlay/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - ../base
                configMapGenerator:
                  - name: config
                    behavior: merge
                    literals:
                      - PLAIN=2
                    options:
                      labels:
                        tier: web
                """);

        List<JsonObject> objects = Kustomize.render(directory.resolve("overlay"));

        JsonObject configMap = objects.stream().filter(object -> object.get("kind").getAsString().equals("ConfigMap"))
                .findFirst().orElseThrow();
        assertThat(KubernetesApiTypes.name(configMap)).isEqualTo("config-4788bc8984");
        assertThat(Manifests.at(configMap, "data", "PLAIN")).hasToString("\"2\"");
        assertThat(Manifests.at(configMap, "metadata", "labels", "tier")).hasToString("\"web\"");
        assertThat(objects.stream().filter(object -> object.get("kind").getAsString().equals("Deployment"))
                .findFirst().orElseThrow().toString()).contains("config-4788bc8984").doesNotContain("mmbcfhtd52");
    }

    /** kustomize's own test vectors (api/hasher/hasher_test.go). */
    @Test
    void configMapHash_isKustomizes() {
        JsonObject configMap = YamlJson.parseAll("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: any
                data:
                  one: ""
                """, "test").getFirst().getAsJsonObject();

        assertThat(Kustomize.configMapHash(configMap)).isEqualTo("9g67k2htb6");
    }

    @Test
    void render_configMapGeneratorMergeWithoutABaseIsRefused() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + """
                configMapGenerator:
                  - name: config
                    behavior: merge
                    literals:
                      - A=1
                """);

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("behavior merge, but no base generates a ConfigMap config");
    }

    private void writeGeneratorBase() throws IOException {
        write("base/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - deployment.yaml
                configMapGenerator:
                  - name: config
                    envs:
                      - app.env
                    literals:
                      - QUOTED="a <b> & c"
                """);
        write("base/app.env", "# a comment\n\nPLAIN=x=1\n  INDENTED=y \n");
        write("base/deployment.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: app
                spec:
                  template:
                    spec:
                      containers:
                        - name: server
                          image: server:1.0
                          envFrom:
                            - configMapRef:
                                name: config
                      volumes:
                        - name: settings
                          configMap:
                            name: config
                """);
    }

    /**
     * The renderer against the real kustomize, where kubectl (which has kustomize built in) is installed: both must
     * print the same objects. Without kubectl this is skipped and the renderer's own tests below stand alone.
     */
    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu", "overlays/cpu-requests", "overlays/gpu-requests",
            "overlays/kserve", "overlays/kserve-gpu", "overlays/monitoring", "overlays/prometheus-adapter",
            "overlays/gateway"})
    void render_printsWhatKubectlKustomizePrints(String kustomization) throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", Manifests.K8S.resolve(kustomization).toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: " + e.getMessage());
            return;
        }
        String printed = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize %s exit status", kustomization).isZero();

        List<JsonObject> expected = YamlJson.parseAll(printed, "kubectl kustomize").stream()
                .map(JsonElement::getAsJsonObject).toList();

        assertThat(byId(Manifests.render(kustomization).objects())).isEqualTo(byId(expected));
    }

    @Test
    void render_overlayTakesTheBaseResourcesAndPatchesThem() throws IOException {
        write("base/kustomization.yaml", KUSTOMIZATION + "resources:\n  - deployment.yaml\n");
        write("base/deployment.yaml", DEPLOYMENT);
        write("overlay/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - ../base
                patches:
                  - target:
                      kind: Deployment
                      name: app
                    patch: |-
                      - op: add
                        path: /spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu
                        value: "1"
                      - op: replace
                        path: /spec/template/spec/containers/0/resources/limits/cpu
                        value: "2"
                """);

        List<JsonObject> objects = Kustomize.render(directory.resolve("overlay"));

        assertThat(objects).hasSize(1);
        assertThat(Manifests.at(objects.getFirst(), "spec", "template", "spec").getAsJsonObject()
                .getAsJsonArray("containers").get(0).getAsJsonObject().getAsJsonObject("resources")
                .getAsJsonObject("limits").toString())
                .isEqualTo("{\"cpu\":\"2\",\"nvidia.com/gpu\":\"1\"}");
    }

    @Test
    void render_imagesChangeNameAndTagOfMatchingContainersOnly() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - deployment.yaml
                images:
                  - name: server
                    newName: server-gpu
                  - name: registry:5000/tools
                    newTag: "2.0"
                """);
        write("app/deployment.yaml", DEPLOYMENT);

        List<JsonObject> containers = Kustomize.containers(Kustomize.render(directory.resolve("app")).getFirst());

        assertThat(containers).extracting(container -> container.get("image").getAsString())
                .containsExactly("registry:5000/tools:2.0", "server-gpu:1.0");
    }

    @Test
    void render_componentPatchesWhatTheIncludingKustomizationHas() throws IOException {
        write("base/kustomization.yaml", KUSTOMIZATION + "resources:\n  - deployment.yaml\n");
        write("base/deployment.yaml", DEPLOYMENT);
        write("gpu/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1alpha1
                kind: Component
                patches:
                  - target:
                      kind: Deployment
                      name: app
                    patch: |-
                      - op: add
                        path: /spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu
                        value: "1"
                """);
        write("overlay/kustomization.yaml", KUSTOMIZATION + "resources:\n  - ../base\ncomponents:\n  - ../gpu\n");

        List<JsonObject> objects = Kustomize.render(directory.resolve("overlay"));

        assertThat(Manifests.at(objects.getFirst(), "spec", "template", "spec").getAsJsonObject()
                .getAsJsonArray("containers").get(0).getAsJsonObject().getAsJsonObject("resources")
                .getAsJsonObject("limits").toString()).isEqualTo("{\"cpu\":\"1\",\"nvidia.com/gpu\":\"1\"}");
        assertThatThrownBy(() -> Kustomize.render(directory.resolve("gpu")))
                .as("a component is not built on its own").hasMessageContaining("is not a kustomize.config.k8s.io/v1beta1"
                        + " Kustomization");
    }

    @Test
    void render_refusesAFeatureItDoesNotImplement() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + "resources:\n  - deployment.yaml\ncommonLabels:\n  a: b\n");
        write("app/deployment.yaml", DEPLOYMENT);

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("'commonLabels', which this renderer does not implement");
    }

    @Test
    void render_refusesAStrategicMergePatch() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - deployment.yaml
                patches:
                  - target:
                      kind: Deployment
                      name: app
                    patch: |-
                      spec:
                        replicas: 3
                """);
        write("app/deployment.yaml", DEPLOYMENT);

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("only JSON 6902 patches");
    }

    @Test
    void render_refusesAPatchWhoseTargetMatchesNothing() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + """
                resources:
                  - deployment.yaml
                patches:
                  - target:
                      kind: Deployment
                      name: other
                    patch: |-
                      - op: remove
                        path: /spec
                """);
        write("app/deployment.yaml", DEPLOYMENT);

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("patch target Deployment/other matches nothing");
    }

    @Test
    void render_refusesTheSameObjectTwice() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + "resources:\n  - deployment.yaml\n  - copy.yaml\n");
        write("app/deployment.yaml", DEPLOYMENT);
        write("app/copy.yaml", DEPLOYMENT);

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("has Deployment/app twice");
    }

    @Test
    void render_refusesADuplicateKey() throws IOException {
        write("app/kustomization.yaml", KUSTOMIZATION + "resources:\n  - deployment.yaml\n");
        write("app/deployment.yaml", DEPLOYMENT + "metadata:\n  name: again\n");

        assertThatThrownBy(() -> Kustomize.render(directory.resolve("app")))
                .hasMessageContaining("duplicate key metadata");
    }

    /** Objects by kind and name: kustomize prints them in an order of its own. */
    private static Map<String, JsonObject> byId(List<JsonObject> objects) {
        return objects.stream().collect(Collectors.toMap(
                object -> object.get("kind").getAsString() + "/" + KubernetesApiTypes.name(object), object -> object));
    }

    private void write(String file, String text) throws IOException {
        Path path = directory.resolve(file);
        Files.createDirectories(path.getParent());
        Files.writeString(path, text);
    }
}
