package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.kubernetes.client.custom.Quantity;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The project's rules for the overlays that deploy shallowserve itself (cpu, gpu), checked on what kustomize would
 * apply: every object a valid Kubernetes object, and consistent with the server and with itself.
 */
class DeploymentOverlaysTest {

    /** Every overlay that deploys the server: on CPU or GPU nodes, scaled on CPU or on the server's own metrics. */
    static Stream<String> overlays() {
        return Stream.of("overlays/cpu", "overlays/gpu", "overlays/cpu-requests", "overlays/gpu-requests");
    }

    /** The REST health paths of the Open Inference Protocol that the server serves. */
    private static final Set<String> HEALTH_PATHS = Set.of("/v2/health/live", "/v2/health/ready");
    /** The services the server's grpc.health.v1 answers for. */
    private static final Set<String> HEALTH_SERVICES = Set.of("", "inference.GRPCInferenceService");
    /**
     * The server opens its port only after loading (and, with the auto plan, measuring) every model: seconds for
     * the default models; a minute leaves room for a larger repository before liveness may restart the pod.
     */
    private static final int STARTUP_SECONDS = 60;

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_everyObjectIsAValidKubernetesObject(String overlay) {
        for (JsonObject object : Manifests.render(overlay).objects()) {
            assertThatCode(() -> KubernetesApiTypes.validate(object)).doesNotThrowAnyException();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_containerPortsAreTheServersPortsByProtocol(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject container = manifests.serverContainer();
        ServerConfiguration server = manifests.serverConfiguration();

        List<Integer> declared = new ArrayList<>();
        container.getAsJsonArray("ports")
                .forEach(port -> declared.add(port.getAsJsonObject().get("containerPort").getAsInt()));

        assertThat(declared).as("%s: the server container's ports; the server listens on HTTP %s and gRPC %s (%s)",
                overlay, server.port(), server.grpcPort(), server.source())
                .containsExactlyInAnyOrder(server.port(), server.grpcPort());
        // The Services and the HTTP probes name the ports: each name must mean its protocol's port.
        assertThat(Manifests.containerPort(container, new JsonPrimitive("http")))
                .as("%s: the container port named http (%s)", overlay, server.source()).isEqualTo(server.port());
        assertThat(Manifests.containerPort(container, new JsonPrimitive("grpc")))
                .as("%s: the container port named grpc (%s)", overlay, server.source()).isEqualTo(server.grpcPort());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_probesAskTheServersHealthOnItsPorts(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject container = manifests.serverContainer();
        ServerConfiguration server = manifests.serverConfiguration();

        Set<Integer> probed = new HashSet<>();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.has(probe)).as("%s: the server container has a %s", overlay, probe).isTrue();
            JsonObject check = container.getAsJsonObject(probe);
            if (check.has("httpGet")) {
                JsonObject httpGet = check.getAsJsonObject("httpGet");
                assertThat(Manifests.containerPort(container, httpGet.get("port")))
                        .as("%s: %s port is the HTTP port (%s)", overlay, probe, server.source())
                        .isEqualTo(server.port());
                assertThat(httpGet.get("path").getAsString()).as("%s: %s path", overlay, probe).isIn(HEALTH_PATHS);
                probed.add(server.port());
            } else {
                assertThat(check.has("grpc")).as("%s: %s is an httpGet or a grpc probe", overlay, probe).isTrue();
                JsonObject grpc = check.getAsJsonObject("grpc");
                assertThat(grpc.get("port").getAsInt())
                        .as("%s: %s port is the gRPC port (%s)", overlay, probe, server.source())
                        .isEqualTo(server.grpcPort());
                String service = grpc.has("service") ? grpc.get("service").getAsString() : "";
                assertThat(service).as("%s: %s service", overlay, probe).isIn(HEALTH_SERVICES);
                probed.add(server.grpcPort());
            }
        }
        // HTTP and gRPC are two servers in one process: a probe on each port sees each listener.
        assertThat(probed).as("%s: the ports the probes ask (%s)", overlay, server.source())
                .containsExactlyInAnyOrder(server.port(), server.grpcPort());
        assertThat(Manifests.at(container, "readinessProbe", "httpGet", "path"))
                .as("%s: readiness asks /v2/health/ready", overlay).hasToString("\"/v2/health/ready\"");
        // Liveness must not turn false while the server is merely not ready (loading, draining): no restart then.
        assertThat(Manifests.at(container, "livenessProbe", "httpGet", "path"))
                .as("%s: liveness asks /v2/health/live", overlay).hasToString("\"/v2/health/live\"");
        JsonObject startup = container.getAsJsonObject("startupProbe");
        int startupSeconds = startup.get("periodSeconds").getAsInt() * startup.get("failureThreshold").getAsInt();
        assertThat(startupSeconds).as("%s: seconds the startup probe waits for model loading", overlay)
                .isGreaterThanOrEqualTo(STARTUP_SECONDS);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_podIsReadyOnlyWithEveryModelServingOnItsDevice(String overlay) {
        ServerConfiguration server = Manifests.render(overlay).serverConfiguration();

        // A models image with a broken model must stop its rollout at the first new pod, not reach every pod.
        assertThat(server.readinessModels()).as("%s: shallowserve.readiness.models (%s)", overlay, server.source())
                .isEqualTo("all");
        assertThat(server.cpuFallback()).as("%s: shallowserve.readiness.cpu-fallback (%s)", overlay, server.source())
                .isFalse();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_servicesRouteToThePortsThatServeTheirProtocol(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject podLabels = Manifests.at(manifests.one("Deployment"), "spec", "template", "metadata", "labels")
                .getAsJsonObject();
        ServerConfiguration server = manifests.serverConfiguration();

        for (JsonObject service : manifests.all("Service")) {
            String name = KubernetesApiTypes.name(service);
            JsonObject spec = service.getAsJsonObject("spec");
            assertThat(Manifests.selects(spec.getAsJsonObject("selector"), podLabels))
                    .as("%s: Service %s selects the Deployment's pods", overlay, name).isTrue();
            List<String> names = new ArrayList<>();
            List<Integer> targets = new ArrayList<>();
            for (JsonElement element : spec.getAsJsonArray("ports")) {
                JsonObject port = element.getAsJsonObject();
                int target = Manifests.containerPort(manifests.serverContainer(), port.get("targetPort"));
                boolean grpc = port.get("name").getAsString().equals("grpc");
                names.add(port.get("name").getAsString());
                targets.add(target);
                assertThat(target).as("%s: Service %s port %s reaches the server's %s port (%s)", overlay, name,
                        port.get("name"), grpc ? "gRPC" : "HTTP", server.source())
                        .isEqualTo(grpc ? server.grpcPort() : server.port());
                if (grpc) {
                    assertThat(port.get("appProtocol")).as("%s: Service %s gRPC port's appProtocol", overlay, name)
                            .hasToString("\"kubernetes.io/h2c\"");
                }
                // No port translation: clients of the headless Service connect to the pods themselves, and through
                // either Service a client's default ports (Triton's, the server's) are the right ones.
                assertThat(port.get("port").getAsInt()).as("%s: Service %s port %s", overlay, name, port.get("name"))
                        .isEqualTo(target);
            }
            assertThat(names).as("%s: Service %s port names", overlay, name).containsExactlyInAnyOrder("http", "grpc");
            assertThat(targets).as("%s: Service %s reaches both of the server's ports (%s)", overlay, name,
                    server.source()).containsExactlyInAnyOrder(server.port(), server.grpcPort());
        }
        assertThat(manifests.all("Service")).as("%s: one Service is headless, for gRPC client-side balancing", overlay)
                .filteredOn(Manifests::headless).hasSize(1);
        assertThat(Manifests.headless(manifests.named("Service", "shallowserve")))
                .as("%s: the Service shallowserve balances load (has a cluster IP)", overlay).isFalse();
    }

    /**
     * Kubernetes' rule (GetPodQOS): a pod is Guaranteed when every container, init containers included, limits CPU
     * and memory and requests what it limits (a request left out is the limit). The static CPU manager policy gives
     * cores of its own only to a Guaranteed pod's container that asks for a whole number of CPUs.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_podIsGuaranteedWithWholeCpusForTheServer(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        for (JsonObject container : manifests.podContainers()) {
            String name = container.get("name").getAsString();
            for (String resource : List.of("cpu", "memory")) {
                JsonElement request = Manifests.at(container, "resources", "requests", resource);
                JsonElement limit = Manifests.at(container, "resources", "limits", resource);
                assertThat(limit).as("%s: container %s limits %s", overlay, name, resource).isNotNull();
                if (request != null) {
                    assertThat(quantity(request)).as("%s: container %s %s request against limit", overlay, name,
                            resource).isEqualByComparingTo(quantity(limit));
                }
            }
        }
        BigDecimal cpus = quantity(Manifests.at(manifests.serverContainer(), "resources", "limits", "cpu"));
        assertThat(cpus.stripTrailingZeros().scale()).as("%s: the server's CPUs (%s) are a whole number", overlay, cpus)
                .isLessThanOrEqualTo(0);
    }

    /**
     * The emptyDirs (the models, /tmp where ONNX Runtime unpacks its native libraries) count against the pod's
     * ephemeral storage: the containers' limits must leave room for them all, or the kubelet evicts the pod before a
     * volume is full.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_ephemeralStorageCoversThePodsVolumes(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        BigDecimal limits = BigDecimal.ZERO;
        for (JsonObject container : manifests.podContainers()) {
            JsonElement limit = Manifests.at(container, "resources", "limits", "ephemeral-storage");
            JsonElement request = Manifests.at(container, "resources", "requests", "ephemeral-storage");
            if (limit != null) {
                limits = limits.add(quantity(limit));
                assertThat(request).as("%s: %s requests ephemeral storage", overlay, container.get("name")).isNotNull();
                assertThat(quantity(request)).as("%s: %s ephemeral storage request", overlay, container.get("name"))
                        .isLessThanOrEqualTo(quantity(limit));
            }
        }
        assertThat(Manifests.at(manifests.serverContainer(), "resources", "limits", "ephemeral-storage"))
                .as("%s: the server's ephemeral storage limit", overlay).isNotNull();
        BigDecimal volumes = BigDecimal.ZERO;
        for (JsonElement volume : manifests.podSpec().getAsJsonArray("volumes")) {
            if (volume.getAsJsonObject().has("emptyDir")) {
                JsonElement sizeLimit = Manifests.at(volume.getAsJsonObject(), "emptyDir", "sizeLimit");
                assertThat(sizeLimit).as("%s: volume %s has a sizeLimit", overlay, volume.getAsJsonObject().get("name"))
                        .isNotNull();
                volumes = volumes.add(quantity(sizeLimit));
            }
        }
        assertThat(limits).as("%s: the containers' ephemeral storage limits against their emptyDirs' size limits",
                overlay).isGreaterThanOrEqualTo(volumes);
    }

    private static BigDecimal quantity(JsonElement quantity) {
        return new Quantity(quantity.getAsString()).getNumber();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_podsRunAsNonRootWithAReadOnlyRootAndNoCapabilities(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject pod = manifests.podSpec().getAsJsonObject("securityContext");

        assertThat(Manifests.at(pod, "runAsNonRoot").getAsBoolean()).as("%s: runAsNonRoot", overlay).isTrue();
        assertThat(Manifests.at(pod, "runAsUser").getAsLong()).as("%s: runAsUser", overlay).isPositive();
        assertThat(Manifests.at(pod, "seccompProfile", "type").getAsString()).as("%s: seccomp", overlay)
                .isEqualTo("RuntimeDefault");
        for (JsonObject container : manifests.podContainers()) {
            String name = container.get("name").getAsString();
            JsonObject context = container.getAsJsonObject("securityContext");
            assertThat(context).as("%s: container %s has a securityContext", overlay, name).isNotNull();
            assertThat(Manifests.at(context, "readOnlyRootFilesystem")).as("%s: %s readOnlyRootFilesystem", overlay, name)
                    .hasToString("true");
            assertThat(Manifests.at(context, "allowPrivilegeEscalation")).as("%s: %s allowPrivilegeEscalation", overlay, name)
                    .hasToString("false");
            assertThat(Manifests.at(context, "capabilities", "drop")).as("%s: %s drops capabilities", overlay, name)
                    .hasToString("[\"ALL\"]");
            assertThat(Manifests.at(context, "capabilities", "add")).as("%s: %s adds capabilities", overlay, name).isNull();
            assertThat(Manifests.at(context, "privileged")).as("%s: %s privileged", overlay, name).isNull();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_imagesArePinned(String overlay) {
        for (JsonObject container : Manifests.render(overlay).podContainers()) {
            String image = container.get("image").getAsString();
            assertThat(ImageReference.parse(image).pinned())
                    .as("%s: image %s has a tag other than latest, or a digest", overlay, image).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_terminationLeavesTimeForTheServersDrain(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        ServerConfiguration server = manifests.serverConfiguration();
        JsonElement preStopSleep = Manifests.at(manifests.serverContainer(), "lifecycle", "preStop", "sleep", "seconds");
        assertThat(preStopSleep).as("%s: a preStop sleep lets endpoints drop the pod before SIGTERM", overlay)
                .isNotNull();

        long needed = preStopSleep.getAsLong() + server.shutdownGracePeriod().toSeconds();
        assertThat(manifests.podSpec().get("terminationGracePeriodSeconds").getAsLong())
                .as("%s: terminationGracePeriodSeconds must exceed the preStop sleep (%s s) plus the server's"
                        + " shutdown-grace-period (%s, %s), leaving time for requests in flight", overlay,
                        preStopSleep, server.shutdownGracePeriod(), server.source())
                .isGreaterThan(needed);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_modelsComeFromAVolumeThatAnInitContainerFills(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        String models = manifests.serverConfiguration().models();
        JsonObject mount = null;
        for (JsonElement element : manifests.serverContainer().getAsJsonArray("volumeMounts")) {
            if (Path.of(models).startsWith(element.getAsJsonObject().get("mountPath").getAsString())) {
                mount = element.getAsJsonObject();
            }
        }
        assertThat(mount).as("%s: the model repository %s is on a mounted volume", overlay, models).isNotNull();
        String volume = mount.get("name").getAsString();
        assertThat(manifests.podSpec().getAsJsonArray("volumes").asList())
                .as("%s: the pod has the volume %s", overlay, volume)
                .anyMatch(declared -> declared.getAsJsonObject().get("name").getAsString().equals(volume));
        // An emptyDir starts empty: an init container must copy the models in before the server starts.
        assertThat(manifests.podSpec().getAsJsonArray("initContainers").asList())
                .as("%s: an init container writes the volume %s", overlay, volume)
                .anyMatch(init -> init.getAsJsonObject().getAsJsonArray("volumeMounts").asList().stream()
                        .anyMatch(initMount -> initMount.getAsJsonObject().get("name").getAsString().equals(volume)));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_autoscalerAndDisruptionBudgetCoverTheDeployment(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject deployment = manifests.one("Deployment");
        JsonObject podLabels = Manifests.at(deployment, "spec", "template", "metadata", "labels").getAsJsonObject();
        JsonObject autoscaler = manifests.one("HorizontalPodAutoscaler").getAsJsonObject("spec");

        assertThat(autoscaler.getAsJsonObject("scaleTargetRef").toString()).as("%s: autoscaler target", overlay)
                .isEqualTo("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\""
                        + KubernetesApiTypes.name(deployment) + "\"}");
        assertThat(autoscaler.get("minReplicas").getAsInt()).as("%s: minReplicas, so a disruption leaves one", overlay)
                .isGreaterThanOrEqualTo(2);
        assertThat(Manifests.at(deployment, "spec", "replicas"))
                .as("%s: the Deployment leaves replicas to the autoscaler", overlay).isNull();
        JsonObject budget = manifests.one("PodDisruptionBudget").getAsJsonObject("spec");
        assertThat(Manifests.selects(Manifests.at(budget, "selector", "matchLabels").getAsJsonObject(), podLabels))
                .as("%s: the PodDisruptionBudget selects the Deployment's pods", overlay).isTrue();
    }

    /**
     * A gRPC client sends every call over one long-lived connection and resolves the pods again only when it
     * reconnects: the server must end connections soon enough that pods the autoscaler adds get traffic.
     */
    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_grpcConnectionsEndSoonEnoughForClientsToReachNewPods(String overlay) {
        ServerConfiguration server = Manifests.render(overlay).serverConfiguration();

        assertThat(server.grpcMaxConnectionAge()).as("%s: shallowserve.grpc.max-connection-age (%s)", overlay,
                server.source()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
    }

    /** Clients reach the server's two ports and nothing else; the server itself connects nowhere. */
    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_networkPolicyAdmitsTheServersPortsAndNoConnectionOut(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject policy = manifests.one("NetworkPolicy").getAsJsonObject("spec");
        JsonObject podLabels = Manifests.at(manifests.one("Deployment"), "spec", "template", "metadata", "labels")
                .getAsJsonObject();
        ServerConfiguration server = manifests.serverConfiguration();

        assertThat(Manifests.matches(policy.getAsJsonObject("podSelector"), podLabels))
                .as("%s: the NetworkPolicy selects the Deployment's pods", overlay).isTrue();
        List<Integer> admitted = new ArrayList<>();
        for (JsonElement rule : policy.getAsJsonArray("ingress")) {
            JsonObject ingress = rule.getAsJsonObject();
            assertThat(ingress.has("ports")).as("%s: an ingress rule without ports admits every port", overlay)
                    .isTrue();
            for (JsonElement port : ingress.getAsJsonArray("ports")) {
                admitted.add(Manifests.containerPort(manifests.serverContainer(), port.getAsJsonObject().get("port")));
            }
        }
        assertThat(admitted).as("%s: the ports the NetworkPolicy admits (%s)", overlay, server.source())
                .containsExactlyInAnyOrder(server.port(), server.grpcPort());
        assertThat(policy.getAsJsonArray("policyTypes").asList()).as("%s: policy types", overlay)
                .contains(new JsonPrimitive("Egress"));
        assertThat(policy.has("egress")).as("%s: egress rules (the server connects nowhere)", overlay).isFalse();
    }

    /**
     * The ConfigMap's name carries a hash of its content (configMapGenerator) and the pod template names it: a
     * configuration change is a new pod template, which `kubectl apply` rolls out. The two overlays configure
     * different devices, so their names differ.
     */
    @Test
    void overlays_nameTheirConfigurationByItsContentSoThatAChangeRollsThePods() {
        List<String> names = new ArrayList<>();
        for (String overlay : List.of("overlays/cpu", "overlays/gpu")) {
            Manifests manifests = Manifests.render(overlay);
            String configMap = KubernetesApiTypes.name(manifests.one("ConfigMap"));
            assertThat(configMap).as("%s: the ConfigMap's name", overlay).matches("shallowserve-config-[a-z0-9]{10}");
            assertThat(Manifests.at(manifests.serverContainer().getAsJsonArray("envFrom").get(0).getAsJsonObject(),
                    "configMapRef", "name")).as("%s: the server's envFrom", overlay).hasToString("\"" + configMap + "\"");
            names.add(configMap);
        }
        assertThat(names).doesNotHaveDuplicates();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void overlay_podReferencesObjectsTheOverlayHas(String overlay) {
        Manifests manifests = Manifests.render(overlay);

        assertThatCode(() -> manifests.named("ServiceAccount", manifests.podSpec().get("serviceAccountName").getAsString()))
                .doesNotThrowAnyException();
        // Reading the configuration looks up every ConfigMap of envFrom, and fails on a missing one.
        assertThatCode(manifests::serverConfiguration).doesNotThrowAnyException();
    }
}
