package io.shallowserve.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.server.inference.InferenceException.Status;
import io.shallowserve.server.inference.ModelStatistics;
import io.shallowserve.server.inference.ModelStatistics.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TritonMetricsTest {

    @Test
    void text_oneVersion_isTritonsFamiliesWithItsCounts() {
        Map<Status, Long> failures = new EnumMap<>(Status.class);
        for (Status status : Status.values()) {
            failures.put(status, 0L);
        }
        failures.put(Status.RESOURCE_EXHAUSTED, 2L);
        failures.put(Status.DEADLINE_EXCEEDED, 1L);
        failures.put(Status.CANCELLED, 4L);
        failures.put(Status.INVALID_ARGUMENT, 5L);
        failures.put(Status.NOT_FOUND, 1L);
        // Invalid input and unknown versions, which Triton refuses before its statistics, count under no reason.
        ModelStatistics statistics = new ModelStatistics("fashion-deep", "1", 99, 16, 3, new Duration(4, 4_000_999),
                new Duration(13, 1_000), new Duration(4, 2_000), new Duration(4, 3_000), new Duration(4, 900_000),
                new Duration(4, 5_000), List.of(), failures, 7);

        assertThat(TritonMetrics.text(List.of(statistics))).isEqualTo("""
                # HELP nv_inference_request_success Number of successful inference requests, all batch sizes
                # TYPE nv_inference_request_success counter
                nv_inference_request_success{model="fashion-deep",version="1"} 4
                # HELP nv_inference_request_failure Number of failed inference requests, all batch sizes
                # TYPE nv_inference_request_failure counter
                nv_inference_request_failure{model="fashion-deep",version="1",reason="REJECTED"} 3
                nv_inference_request_failure{model="fashion-deep",version="1",reason="CANCELED"} 4
                nv_inference_request_failure{model="fashion-deep",version="1",reason="BACKEND"} 0
                nv_inference_request_failure{model="fashion-deep",version="1",reason="OTHER"} 0
                # HELP nv_inference_count Number of inferences performed (does not include cached requests)
                # TYPE nv_inference_count counter
                nv_inference_count{model="fashion-deep",version="1"} 16
                # HELP nv_inference_exec_count Number of model executions performed (does not include cached requests)
                # TYPE nv_inference_exec_count counter
                nv_inference_exec_count{model="fashion-deep",version="1"} 3
                # HELP nv_inference_request_duration_us Cumulative inference request duration in microseconds \
                (includes cached requests)
                # TYPE nv_inference_request_duration_us counter
                nv_inference_request_duration_us{model="fashion-deep",version="1"} 4000
                # HELP nv_inference_queue_duration_us Cumulative inference queuing duration in microseconds \
                (includes cached requests)
                # TYPE nv_inference_queue_duration_us counter
                nv_inference_queue_duration_us{model="fashion-deep",version="1"} 2
                # HELP nv_inference_compute_input_duration_us Cumulative compute input duration in microseconds \
                (does not include cached requests)
                # TYPE nv_inference_compute_input_duration_us counter
                nv_inference_compute_input_duration_us{model="fashion-deep",version="1"} 3
                # HELP nv_inference_compute_infer_duration_us Cumulative compute inference duration in microseconds \
                (does not include cached requests)
                # TYPE nv_inference_compute_infer_duration_us counter
                nv_inference_compute_infer_duration_us{model="fashion-deep",version="1"} 900
                # HELP nv_inference_compute_output_duration_us Cumulative inference compute output duration in \
                microseconds (does not include cached requests)
                # TYPE nv_inference_compute_output_duration_us counter
                nv_inference_compute_output_duration_us{model="fashion-deep",version="1"} 5
                # HELP nv_inference_pending_request_count Instantaneous number of pending requests awaiting \
                execution per-model.
                # TYPE nv_inference_pending_request_count gauge
                nv_inference_pending_request_count{model="fashion-deep",version="1"} 7
                """);
    }

    @Test
    void text_labelValues_areEscapedAsTheTextFormatSays() {
        ModelStatistics statistics = new ModelStatistics("a\"b\\c", "2", 0, 0, 0, new Duration(0, 0),
                new Duration(0, 0), new Duration(0, 0), new Duration(0, 0), new Duration(0, 0), new Duration(0, 0),
                List.of(), Map.of(), 0);

        assertThat(TritonMetrics.text(List.of(statistics)))
                .contains("nv_inference_count{model=\"a\\\"b\\\\c\",version=\"2\"} 0\n");
    }

    @Test
    void text_noVersions_hasTheFamiliesWithoutSamples() {
        assertThat(TritonMetrics.text(List.of()).lines().filter(line -> !line.startsWith("#"))).isEmpty();
    }
}
