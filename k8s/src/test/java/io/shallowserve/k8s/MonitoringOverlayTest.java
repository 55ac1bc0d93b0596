package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ServiceMonitor (a Prometheus Operator custom resource) against the Services of the cpu overlay. */
class MonitoringOverlayTest {

    @Test
    void serviceMonitor_scrapesTheServersMetricsOncePerPod() {
        JsonObject monitor = Manifests.render("overlays/monitoring").one("ServiceMonitor");
        Manifests cpu = Manifests.render("overlays/cpu");
        ServerConfiguration server = cpu.serverConfiguration();

        assertThat(monitor.keySet()).isSubsetOf(KubernetesApiTypes.OBJECT_FIELDS).contains("spec");
        assertThat(monitor.get("apiVersion").getAsString()).isEqualTo("monitoring.coreos.com/v1");
        assertThatCode(() -> KubernetesApiTypes.validateMetadata(monitor, "ServiceMonitor")).doesNotThrowAnyException();
        JsonObject selector = Manifests.at(monitor, "spec", "selector").getAsJsonObject();
        List<JsonElement> endpoints = monitor.getAsJsonObject("spec").getAsJsonArray("endpoints").asList();
        assertThat(endpoints).isNotEmpty();
        for (JsonElement element : endpoints) {
            JsonObject endpoint = element.getAsJsonObject();
            assertThat(endpoint.get("path").getAsString()).isEqualTo("/metrics");
            String portName = endpoint.get("port").getAsString();
            // Every selected Service with that port yields a target per pod: more than one would scrape pods twice.
            List<JsonObject> ports = cpu.all("Service").stream()
                    .filter(service -> Manifests.matches(selector, service.getAsJsonObject("metadata").getAsJsonObject("labels")))
                    .flatMap(service -> service.getAsJsonObject("spec").getAsJsonArray("ports").asList().stream())
                    .map(JsonElement::getAsJsonObject)
                    .filter(port -> port.get("name").getAsString().equals(portName))
                    .toList();
            assertThat(ports).as("Service ports named %s among the selected Services", portName).hasSize(1);
            assertThat(Manifests.containerPort(cpu.serverContainer(), ports.getFirst().get("targetPort")))
                    .as("/metrics is on the server's HTTP port (%s)", server.source()).isEqualTo(server.port());
        }
    }
}
