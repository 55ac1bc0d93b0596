package io.shallowserve.loadtest.driver;

import java.util.List;
import java.util.Map;

/**
 * What one run measured. Latencies are NaN when no request succeeded.
 *
 * @param requests       requests answered or failed
 * @param errors         requests that failed
 * @param errorKinds     failures by kind
 * @param seconds        the run's length: its load window, or longer if the last answer came later
 * @param p50Micros      median latency of the successful requests
 * @param p90Micros      90th percentile
 * @param p99Micros      99th percentile
 * @param maxMicros      the longest
 * @param throughput     successful requests per second over {@code seconds}
 * @param resolutionMicros the smallest latency step the generator records (1 for the driver, 1000 for Gatling)
 * @param cdf            the latency distribution, for plots (empty where the generator gives none)
 */
public record LatencySummary(
        long requests,
        long errors,
        Map<String, Long> errorKinds,
        double seconds,
        double p50Micros,
        double p90Micros,
        double p99Micros,
        double maxMicros,
        double throughput,
        double resolutionMicros,
        List<CdfPoint> cdf) {

    public LatencySummary {
        errorKinds = Map.copyOf(errorKinds);
        cdf = List.copyOf(cdf);
    }

    /**
     * The same summary for a generator that records latencies in steps of {@code micros}: its percentiles rounded
     * to such steps, since the histogram's finer digits would only show the histogram's bucketing.
     */
    public LatencySummary withResolutionMicros(double micros) {
        return new LatencySummary(requests, errors, errorKinds, seconds, round(p50Micros, micros),
                round(p90Micros, micros), round(p99Micros, micros), round(maxMicros, micros), throughput, micros, cdf);
    }

    private static double round(double value, double step) {
        return Math.round(value / step) * step;
    }

    /**
     * One step of the cumulative distribution.
     *
     * @param micros   a latency
     * @param fraction the fraction of successful requests at or below it
     */
    public record CdfPoint(double micros, double fraction) {}
}
