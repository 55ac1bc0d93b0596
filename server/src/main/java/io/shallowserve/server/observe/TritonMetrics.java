package io.shallowserve.server.observe;

import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.ModelStatistics;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Triton's per-model inference metrics, {@code nv_inference_*}, in the Prometheus text format, made from the same
 * statistics the statistics extension reports: dashboards, alerts and autoscalers written for Triton (queue time per
 * request, pending requests) read this server unchanged. Names, help texts, types and labels ({@code model},
 * {@code version}; {@code reason} on failures) are Triton core's (src/metrics.cc, metric_model_reporter.cc); durations
 * are cumulative microseconds of the successful requests, as Triton counts them. Written by hand rather than as
 * Micrometer meters because Micrometer's Prometheus counters end in {@code _total}, which Triton's do not.
 */
public final class TritonMetrics {

    /** Triton's failure reasons: {@link InferenceException.Status#tritonFailureReason()} gives a status's. */
    private static final List<String> REASONS = List.of("REJECTED", "CANCELED", "BACKEND", "OTHER");

    private TritonMetrics() {
    }

    /** The metrics of {@code versions}: a HELP and TYPE line per family, then one sample per version. */
    public static String text(List<ModelStatistics> versions) {
        StringBuilder text = new StringBuilder();
        counter(text, versions, "nv_inference_request_success",
                "Number of successful inference requests, all batch sizes", v -> v.success().count());
        text.append("# HELP nv_inference_request_failure Number of failed inference requests, all batch sizes\n")
                .append("# TYPE nv_inference_request_failure counter\n");
        for (ModelStatistics version : versions) {
            for (String reason : REASONS) {
                long failed = version.failures().entrySet().stream()
                        .filter(entry -> entry.getKey().tritonFailureReason().filter(reason::equals).isPresent())
                        .mapToLong(Map.Entry::getValue).sum();
                sample(text, "nv_inference_request_failure", version, ",reason=\"" + reason + "\"", failed);
            }
        }
        counter(text, versions, "nv_inference_count",
                "Number of inferences performed (does not include cached requests)", ModelStatistics::inferenceCount);
        counter(text, versions, "nv_inference_exec_count",
                "Number of model executions performed (does not include cached requests)",
                ModelStatistics::executionCount);
        counter(text, versions, "nv_inference_request_duration_us",
                "Cumulative inference request duration in microseconds (includes cached requests)",
                v -> micros(v.success()));
        counter(text, versions, "nv_inference_queue_duration_us",
                "Cumulative inference queuing duration in microseconds (includes cached requests)",
                v -> micros(v.queue()));
        counter(text, versions, "nv_inference_compute_input_duration_us",
                "Cumulative compute input duration in microseconds (does not include cached requests)",
                v -> micros(v.computeInput()));
        counter(text, versions, "nv_inference_compute_infer_duration_us",
                "Cumulative compute inference duration in microseconds (does not include cached requests)",
                v -> micros(v.computeInfer()));
        counter(text, versions, "nv_inference_compute_output_duration_us",
                "Cumulative inference compute output duration in microseconds (does not include cached requests)",
                v -> micros(v.computeOutput()));
        family(text, "nv_inference_pending_request_count",
                "Instantaneous number of pending requests awaiting execution per-model.", "gauge");
        versions.forEach(version -> sample(text, "nv_inference_pending_request_count", version, "",
                version.pending()));
        return text.toString();
    }

    private static void counter(StringBuilder text, List<ModelStatistics> versions, String name, String help,
            ToLongFunction<ModelStatistics> value) {
        family(text, name, help, "counter");
        versions.forEach(version -> sample(text, name, version, "", value.applyAsLong(version)));
    }

    private static void family(StringBuilder text, String name, String help, String type) {
        text.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder text, String name, ModelStatistics version, String moreLabels,
            long value) {
        text.append(name).append("{model=\"").append(labelValue(version.name())).append("\",version=\"")
                .append(labelValue(version.version())).append('"').append(moreLabels).append("} ").append(value)
                .append('\n');
    }

    private static long micros(ModelStatistics.Duration duration) {
        return duration.nanos() / 1_000;
    }

    /** A label value as the text format escapes it: backslash, double quote and line feed. */
    private static String labelValue(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
