package io.shallowserve.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.MeterConventions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestMetrics metrics = new RequestMetrics(registry, "grpc", List.of("deep")::contains);

    @Test
    void record_countsEachOutcomeByProtocolAndModel() {
        metrics.record("deep", () -> CompletableFuture.completedFuture("answer"));
        metrics.record("deep", () -> CompletableFuture.completedFuture("answer"));
        assertThat(metrics.record("deep", () -> CompletableFuture.failedFuture(InferenceException.invalid(
                "bad shape")))).isCompletedExceptionally();
        assertThat(metrics.record("deep", () -> {
            throw new IllegalStateException("bug");
        })).isCompletedExceptionally();

        assertThat(count("deep", "success")).isEqualTo(2);
        assertThat(count("deep", "invalid_argument")).isEqualTo(1);
        assertThat(count("deep", "internal")).isEqualTo(1);
    }

    @Test
    void record_modelOutsideTheRepository_isTaggedUnknown() {
        metrics.record("made-up-name", () -> CompletableFuture.failedFuture(
                InferenceException.notFound("no model made-up-name")));

        assertThat(count(MeterConventions.UNKNOWN_MODEL, "not_found")).isEqualTo(1);
        assertThat(registry.find("shallowserve.frontend.requests").tag("model", "made-up-name").timer()).isNull();
    }

    @Test
    void record_untilTheFutureCompletes_countsTheRequestInFlight() {
        CompletableFuture<String> running = new CompletableFuture<>();
        metrics.record("deep", () -> running);

        assertThat(gauge("deep")).isEqualTo(1);
        assertThat(registry.find("shallowserve.frontend.requests").timer()).isNull();
        running.complete("answer");
        assertThat(gauge("deep")).isZero();
        assertThat(count("deep", "success")).isEqualTo(1);
        assertThat(registry.find("shallowserve.frontend.inflight.requests").tag("model", "made-up-name").gauge())
                .isNull();
    }

    @Test
    void timer_publishesSubMillisecondBuckets() {
        metrics.record("deep", () -> CompletableFuture.completedFuture("answer"));

        assertThat(registry.get("shallowserve.frontend.requests").timer().takeSnapshot().histogramCounts())
                .extracting(bucket -> bucket.bucket(TimeUnit.MICROSECONDS))
                .contains(50.0, 100.0, 250.0, 500.0, 1000.0);
    }

    private long count(String model, String outcome) {
        return registry.get("shallowserve.frontend.requests")
                .tags("protocol", "grpc", "model", model, "outcome", outcome).timer().count();
    }

    private double gauge(String model) {
        return registry.get("shallowserve.frontend.inflight.requests").tags("protocol", "grpc", "model", model).gauge()
                .value();
    }
}
