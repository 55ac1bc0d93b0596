package io.shallowserve.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server image exports the series the prometheus-adapter rules read (overlays/prometheus-adapter): without them
 * the adapter serves nothing and the request-scaled overlays never scale. The series carry the server's own labels
 * (model, version); Prometheus adds namespace and pod when it scrapes.
 */
class AutoscalingMetricsIT {

    @TempDir
    Path directory;

    @Test
    void image_exportsEverySeriesTheAdapterRulesRead() throws Exception {
        AdapterRules rules = AdapterRules.read();
        assertThat(rules.serverMetrics()).isNotEmpty();

        try (RunningImage running = RunningImage.start("Dockerfile", directory)) {
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + running.httpPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            List<String> samples = metrics.body().lines().filter(line -> !line.startsWith("#")).toList();

            for (String series : rules.serverMetrics()) {
                assertThat(samples).as("/metrics samples of %s, per model version", series)
                        .anyMatch(sample -> sample.startsWith(series + "{")
                                && sample.contains("model=\"" + running.model() + "\"")
                                && sample.contains("version=\""));
            }
        }
    }
}
