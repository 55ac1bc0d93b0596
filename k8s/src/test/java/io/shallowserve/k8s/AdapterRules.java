package io.shallowserve.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prometheus-adapter rules that overlays/prometheus-adapter ships: its ConfigMap's config.yaml read as
 * prometheus-adapter reads it (pkg/config: {@code rules}, each a DiscoveryRule).
 *
 * @param configMap the rendered ConfigMap
 * @param rules     its discovery rules
 */
record AdapterRules(JsonObject configMap, List<JsonObject> rules) {

    /** The kustomization that holds the adapter's configuration. */
    static final String OVERLAY = "overlays/prometheus-adapter";
    /** A metric this server exports, as Prometheus names it. */
    private static final Pattern SERVER_METRIC = Pattern.compile("\\bshallowserve_[a-z_]+");

    static AdapterRules read() {
        JsonObject configMap = Manifests.render(OVERLAY).one("ConfigMap");
        JsonElement text = Manifests.at(configMap, "data", "config.yaml");
        if (text == null) {
            throw new IllegalArgumentException(OVERLAY + ": the ConfigMap has no config.yaml");
        }
        JsonObject config = YamlJson.parseAll(text.getAsString(), OVERLAY + " config.yaml").getFirst().getAsJsonObject();
        List<JsonObject> rules = new ArrayList<>();
        config.getAsJsonArray("rules").forEach(rule -> rules.add(rule.getAsJsonObject()));
        return new AdapterRules(configMap, rules);
    }

    /** The names the custom metrics API serves the rules' metrics by (name.as). */
    List<String> metricNames() {
        return rules.stream().map(rule -> Manifests.at(rule, "name", "as").getAsString()).toList();
    }

    /** Every metric of this server that a rule's seriesQuery or metricsQuery reads. */
    Set<String> serverMetrics() {
        Set<String> metrics = new LinkedHashSet<>();
        for (JsonObject rule : rules) {
            for (String query : List.of("seriesQuery", "metricsQuery")) {
                Matcher metric = SERVER_METRIC.matcher(rule.get(query).getAsString());
                while (metric.find()) {
                    metrics.add(metric.group());
                }
            }
        }
        return metrics;
    }

    /** The metric name a rule's seriesQuery selects: the selector's name before its labels. */
    static String seriesName(JsonObject rule) {
        String query = rule.get("seriesQuery").getAsString();
        int labels = query.indexOf('{');
        return (labels < 0 ? query : query.substring(0, labels)).strip();
    }
}
