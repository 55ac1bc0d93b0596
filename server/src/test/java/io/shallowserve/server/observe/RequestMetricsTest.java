package io.shallowserve.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.MeterConventions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RequestMetrics metrics = new RequestMetrics(registry, "grpc", List.of("deep")::contains);

    @Test
    void record_countsEachOutcomeByProtocolAndModel() throws InferenceException {
        metrics.record("deep", () -> "answer");
        metrics.record("deep", () -> "answer");
        assertThatThrownBy(() -> metrics.record("deep", () -> {
            throw InferenceException.invalid("bad shape");
        })).isInstanceOf(InferenceException.class);
        assertThatThrownBy(() -> metrics.record("deep", () -> {
            throw new IllegalStateException("bug");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(count("deep", "success")).isEqualTo(2);
        assertThat(count("deep", "invalid_argument")).isEqualTo(1);
        assertThat(count("deep", "internal")).isEqualTo(1);
    }

    @Test
    void record_modelOutsideTheRepository_isTaggedUnknown() {
        assertThatThrownBy(() -> metrics.record("made-up-name", () -> {
            throw InferenceException.notFound("no model made-up-name");
        })).isInstanceOf(InferenceException.class);

        assertThat(count(MeterConventions.UNKNOWN_MODEL, "not_found")).isEqualTo(1);
        assertThat(registry.find("shallowserve.frontend.requests").tag("model", "made-up-name").timer()).isNull();
    }

    @Test
    void record_whileRunning_countsTheRequestInFlight() throws InferenceException {
        double inFlight = metrics.record("deep", () -> gauge("deep"));

        assertThat(inFlight).isEqualTo(1);
        assertThat(gauge("deep")).isZero();
        assertThat(registry.find("shallowserve.frontend.inflight.requests").tag("model", "made-up-name").gauge())
                .isNull();
    }

    @Test
    void timer_publishesSubMillisecondBuckets() throws InferenceException {
        metrics.record("deep", () -> "answer");

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
