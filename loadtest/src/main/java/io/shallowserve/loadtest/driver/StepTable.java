package io.shallowserve.loadtest.driver;

import java.util.Locale;

/** The driver's console lines: one per step, microseconds, aligned. */
final class StepTable {

    static final String HEADER = String.format(Locale.ROOT, "%-14s %9s %7s %10s %10s %10s %10s %12s",
            "load", "requests", "errors", "p50 µs", "p90 µs", "p99 µs", "max µs", "throughput/s");

    private StepTable() {}

    static String row(String load, LatencySummary s) {
        return String.format(Locale.ROOT, "%-14s %9d %7d %10.1f %10.1f %10.1f %10.1f %12.1f", load, s.requests(),
                s.errors(), s.p50Micros(), s.p90Micros(), s.p99Micros(), s.maxMicros(), s.throughput())
                + (s.errorKinds().isEmpty() ? "" : "  errors: " + s.errorKinds());
    }
}
