package io.shallowserve.server.inference;

import java.time.Duration;

/** What the engine's and the front-ends' meters share, so that their series line up in one dashboard. */
public final class MeterConventions {

    /** The model tag of requests for a model the repository does not have: clients cannot grow the series count. */
    public static final String UNKNOWN_MODEL = "unknown";

    private MeterConventions() {
    }

    /**
     * Explicit latency buckets, because these models answer in tens to hundreds of microseconds and Micrometer's
     * default histogram starts at 1 ms. Buckets only, no client-side percentiles: with both, the Prometheus
     * registry exports only the histogram.
     */
    public static Duration[] latencyBuckets() {
        return new Duration[] {
            Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
            Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1)
        };
    }
}
