package io.shallowserve.server.observe;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.shallowserve.server.inference.ModelStatistics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/** {@code GET /metrics}: the registry in the Prometheus text format, then Triton's metrics ({@link TritonMetrics}). */
public final class MetricsService implements HttpService {

    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Supplier<List<ModelStatistics>> statistics;

    /** @param statistics the statistics of every version served, for Triton's metrics */
    public MetricsService(PrometheusMeterRegistry registry, Supplier<List<ModelStatistics>> statistics) {
        this.registry = registry;
        this.statistics = statistics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest request, ServerResponse response) throws IOException {
        response.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        try (OutputStream out = response.outputStream()) {
            registry.scrape(out);
            out.write(TritonMetrics.text(statistics.get()).getBytes(StandardCharsets.UTF_8));
        }
    }
}
