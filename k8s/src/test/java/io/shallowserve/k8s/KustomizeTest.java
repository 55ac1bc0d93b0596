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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KustomizeTest {

    private static final Path GOLDEN = Manifests.K8S.resolve("src/test/resources/kustomize");

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
     * The renderer against the real kustomize, by way of its committed output: GOLDEN holds what {@code kubectl
     * kustomize} (kubectl 1.32, kustomize v5.5.0) printed for each kustomization, so this runs on a machine without
     * kubectl too. Where kubectl is installed, its output now is compared with the golden files as well, so they cannot
     * go stale unnoticed. Regenerate them, from k8s/, with:
     * {@code for k in base overlays/*; do kubectl kustomize $k > src/test/resources/kustomize/$k.yaml; done}
     */
    @ParameterizedTest
    @MethodSource("kustomizations")
    void render_printsWhatKubectlKustomizePrinted(String kustomization) throws IOException, InterruptedException {
        Path golden = GOLDEN.resolve(kustomization + ".yaml");
        assertThat(golden).as("kubectl kustomize's output for %s, committed (see this test's comment)", kustomization)
                .exists();
        List<JsonObject> printed = objects(Files.readString(golden), golden.toString());

        assertThat(byId(Manifests.render(kustomization).objects()))
                .as("the renderer's %s against %s (after changing the kustomization, regenerate the golden files: see"
                        + " this test's comment)", kustomization, golden)
                .isEqualTo(byId(printed));

        Optional<String> kubectlNow = kubectlKustomize(kustomization);
        if (kubectlNow.isEmpty()) {
            System.out.println("KustomizeTest: kubectl is not installed: " + kustomization + " was compared with the"
                    + " committed kubectl output only, not with kubectl's output now");
            return;
        }
        assertThat(byId(objects(kubectlNow.get(), "kubectl kustomize " + kustomization)))
                .as("kubectl kustomize %s now against %s: regenerate the golden files (see this test's comment)",
                        kustomization, golden)
                .isEqualTo(byId(printed));
    }

    /** base and every overlay: each is built on its own (components only within them). */
    static Stream<String> kustomizations() throws IOException {
        List<String> overlays;
        try (Stream<Path> folders = Files.list(Manifests.K8S.resolve("overlays"))) {
            overlays = folders.filter(folder -> Files.exists(folder.resolve("kustomization.yaml")))
                    .map(folder -> "overlays/" + folder.getFileName()).sorted().toList();
        }
        return Stream.concat(Stream.of("base"), overlays.stream());
    }

    /** What {@code kubectl kustomize} prints for the kustomization, or empty where kubectl is not installed. */
    private static Optional<String> kubectlKustomize(String kustomization) throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", Manifests.K8S.resolve(kustomization).toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        String printed = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(kubectl.waitFor(30, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
        assertThat(kubectl.exitValue()).as("kubectl kustomize %s exit status", kustomization).isZero();
        return Optional.of(printed);
    }

    private static List<JsonObject> objects(String yaml, String source) {
        return YamlJson.parseAll(yaml, source).stream().map(JsonElement::getAsJsonObject).toList();
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
