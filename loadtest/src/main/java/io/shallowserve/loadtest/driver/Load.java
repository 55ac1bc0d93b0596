package io.shallowserve.loadtest.driver;

import java.util.Locale;

/** How requests are offered: at a constant arrival rate (open loop) or with a fixed number in flight (closed loop). */
public sealed interface Load {

    /** A short label for tables and plots: "open 200/s", "closed 8". */
    String label();

    /** The rate, or the requests in flight: the x of "latency against load". */
    double level();

    /** Requests leave at {@code ratePerSecond}, evenly spaced, whether or not earlier ones have been answered. */
    record Open(double ratePerSecond) implements Load {
        public Open {
            if (!(ratePerSecond > 0)) {
                throw new IllegalArgumentException("rate must be positive, got " + ratePerSecond);
            }
        }

        @Override
        public String label() {
            return "open " + number(ratePerSecond) + "/s";
        }

        @Override
        public double level() {
            return ratePerSecond;
        }

        /**
         * When request {@code index} (from 0) is meant to leave, for a run starting at {@code startNanos}: the
         * schedule depends on nothing the server does.
         */
        public long intendedNanos(long startNanos, long index) {
            return startNanos + Math.round(index * 1e9 / ratePerSecond);
        }
    }

    /** {@code concurrency} callers, each sending its next request as soon as its last one is answered. */
    record Closed(int concurrency) implements Load {
        public Closed {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
            }
        }

        @Override
        public String label() {
            return "closed " + concurrency;
        }

        @Override
        public double level() {
            return concurrency;
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.1f", value);
    }
}
