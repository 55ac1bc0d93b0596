package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.Quantity;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The autoscalers: on CPU in the cpu and gpu overlays (metrics-server is all they need), on the server's own metrics
 * in cpu-requests and gpu-requests, served by prometheus-adapter with the rules of overlays/prometheus-adapter.
 * AutoscalingMetricsIT checks that the server exports the series these rules read.
 */
class AutoscalingTest {

    /** The fields of prometheus-adapter's DiscoveryRule (pkg/config/config.go). */
    private static final Set<String> DISCOVERY_RULE_FIELDS = Set.of("seriesQuery", "seriesFilters", "resources", "name",
            "metricsQuery", "labelValueReplacements");

    @ParameterizedTest
    @ValueSource(strings = {"overlays/cpu", "overlays/gpu"})
    void plainOverlay_scalesOnCpu(String overlay) {
        JsonObject autoscaler = Manifests.render(overlay).one("HorizontalPodAutoscaler");

        assertThat(autoscaler.getAsJsonObject("spec").getAsJsonArray("metrics").asList()).as("%s: metrics", overlay)
                .singleElement().satisfies(metric -> {
                    assertThat(Manifests.at(metric.getAsJsonObject(), "type")).hasToString("\"Resource\"");
                    assertThat(Manifests.at(metric.getAsJsonObject(), "resource", "name")).hasToString("\"cpu\"");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/cpu-requests", "overlays/gpu-requests"})
    void requestOverlay_scalesOnPerPodMetricsTheAdapterServes(String overlay) {
        Manifests manifests = Manifests.render(overlay);
        JsonObject autoscaler = manifests.one("HorizontalPodAutoscaler");
        List<String> served = AdapterRules.read().metricNames();

        assertThatCode(() -> KubernetesApiTypes.validate(autoscaler)).doesNotThrowAnyException();
        List<JsonElement> metrics = autoscaler.getAsJsonObject("spec").getAsJsonArray("metrics").asList();
        assertThat(metrics).as("%s: metrics", overlay).isNotEmpty();
        for (JsonElement element : metrics) {
            JsonObject metric = element.getAsJsonObject();
            assertThat(Manifests.at(metric, "type")).as("%s: %s", overlay, metric).hasToString("\"Pods\"");
            assertThat(Manifests.at(metric, "pods", "metric", "name").getAsString())
                    .as("%s: a metric prometheus-adapter serves (%s)", overlay, AdapterRules.OVERLAY).isIn(served);
            assertThat(Manifests.at(metric, "pods", "target", "type")).as("%s: %s", overlay, metric)
                    .hasToString("\"AverageValue\"");
            assertThat(new Quantity(Manifests.at(metric, "pods", "target", "averageValue").getAsString()).getNumber())
                    .as("%s: %s target", overlay, metric).isPositive();
        }
        // Only the autoscaler differs from the overlay scaled on CPU.
        Manifests plain = Manifests.render(overlay.replace("-requests", ""));
        assertThat(manifests.objects().stream().filter(object -> object != autoscaler).toList())
                .isEqualTo(plain.objects().stream()
                        .filter(object -> !object.get("kind").getAsString().equals("HorizontalPodAutoscaler"))
                        .toList());
    }

    @Test
    void adapterConfig_isAConfigMapOfPrometheusAdapterRulesPerPod() {
        AdapterRules adapter = AdapterRules.read();

        assertThatCode(() -> KubernetesApiTypes.validate(adapter.configMap())).doesNotThrowAnyException();
        // The adapter reads its configuration in its own namespace, not in the one shallowserve runs in.
        assertThat(Manifests.at(adapter.configMap(), "metadata", "namespace")).as("the ConfigMap's namespace")
                .isNotNull();
        assertThat(adapter.rules()).isNotEmpty();
        assertThat(adapter.metricNames()).doesNotHaveDuplicates();
        for (JsonObject rule : adapter.rules()) {
            String series = AdapterRules.seriesName(rule);
            assertThat(rule.keySet()).as("%s: fields of a DiscoveryRule", series).isSubsetOf(DISCOVERY_RULE_FIELDS);
            // Series of pods only: Prometheus labels each with the namespace and pod it scraped.
            assertThat(rule.get("seriesQuery").getAsString()).as("%s: seriesQuery", series)
                    .contains("namespace!=\"\"", "pod!=\"\"");
            assertThat(Manifests.at(rule, "resources", "overrides").toString()).as("%s: label to resource", series)
                    .isEqualTo("{\"namespace\":{\"resource\":\"namespace\"},\"pod\":{\"resource\":\"pod\"}}");
            assertThat(Pattern.compile(Manifests.at(rule, "name", "matches").getAsString()).matcher(series).find())
                    .as("%s: name.matches matches the series", series).isTrue();
            // Each query is narrowed to the pods the autoscaler asks about and grouped per pod.
            String query = rule.get("metricsQuery").getAsString();
            assertThat(query).as("%s: metricsQuery", series).contains("by (<<.GroupBy>>)");
            assertThat(Pattern.compile("shallowserve_[a-z_]+\\{").matcher(query).results().count()
                    + Pattern.compile("<<\\.Series>>\\{").matcher(query).results().count())
                    .as("%s: every selector of the metricsQuery", series)
                    .isEqualTo(Pattern.compile("\\{<<\\.LabelMatchers>>}").matcher(query).results().count());
        }
    }

    @Test
    void requestComponent_targetsAreQuantitiesTheAdapterCanReach() {
        JsonObject autoscaler = Manifests.render("overlays/cpu-requests").one("HorizontalPodAutoscaler");
        for (JsonElement metric : autoscaler.getAsJsonObject("spec").getAsJsonArray("metrics")) {
            BigDecimal target = new Quantity(Manifests.at(metric.getAsJsonObject(), "pods", "target", "averageValue")
                    .getAsString()).getNumber();
            // In flight is a count of requests; queue time is in seconds, where a target of a second or more would
            // let requests wait that long before the autoscaler acts.
            if (Manifests.at(metric.getAsJsonObject(), "pods", "metric", "name").getAsString().contains("seconds")) {
                assertThat(target).as("queue seconds target").isLessThan(BigDecimal.ONE);
            } else {
                assertThat(target).as("in-flight target").isGreaterThanOrEqualTo(BigDecimal.ONE);
            }
        }
    }
}
