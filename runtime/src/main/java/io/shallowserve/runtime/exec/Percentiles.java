package io.shallowserve.runtime.exec;

import java.util.Arrays;

/** Latency percentiles of one plan, in microseconds. */
public record Percentiles(double p50, double p90, double p99, double max) {

    /** From the measured durations in nanoseconds (at least one). */
    public static Percentiles of(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no durations to summarise");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Percentiles(micros(sorted, 0.50), micros(sorted, 0.90), micros(sorted, 0.99),
                sorted[sorted.length - 1] / 1000.0);
    }

    /** The nearest-rank percentile, the one rule every report uses. */
    private static double micros(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, index)] / 1000.0;
    }
}
