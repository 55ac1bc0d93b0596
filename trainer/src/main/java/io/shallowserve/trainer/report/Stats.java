package io.shallowserve.trainer.report;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The few statistics the report needs. */
final class Stats {

    private Stats() {
    }

    static <T> double mean(List<T> items, ToDoubleFunction<T> value) {
        return items.stream().mapToDouble(value).average().orElse(Double.NaN);
    }

    static <T> double median(List<T> items, ToDoubleFunction<T> value) {
        double[] sorted = items.stream().mapToDouble(value).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** Sample standard deviation; NaN below two values. */
    static double standardDeviation(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = Arrays.stream(values).average().orElseThrow();
        double squares = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
        return Math.sqrt(squares / (values.length - 1));
    }

    /**
     * How often each of two measures of the same item was the lower one (ties in neither count).
     *
     * @param first  items whose first measure was lower
     * @param second items whose second measure was lower
     */
    record LowerCounts(int first, int second) {

        /** {@link #signTest} of the two counts. */
        double signTest() {
            return Stats.signTest(first, second);
        }
    }

    /** Compares {@code first} and {@code second} item by item, e.g. a deep and a shallow row's loss of one point. */
    static <T> LowerCounts lowerCounts(List<T> items, ToDoubleFunction<T> first, ToDoubleFunction<T> second) {
        int firstLower = 0;
        int secondLower = 0;
        for (T item : items) {
            double difference = first.applyAsDouble(item) - second.applyAsDouble(item);
            if (difference < 0) {
                firstLower++;
            } else if (difference > 0) {
                secondLower++;
            }
        }
        return new LowerCounts(firstLower, secondLower);
    }

    /**
     * Two-sided sign test: the probability of a split at least this uneven if each of {@code wins + losses} pairs
     * were a coin toss (ties left out). Small values mean the direction is unlikely to be chance.
     */
    static double signTest(int wins, int losses) {
        int n = wins + losses;
        if (n == 0) {
            return 1;
        }
        int fewer = Math.min(wins, losses);
        double tail = 0;
        for (int k = 0; k <= fewer; k++) {
            tail += Math.exp(logChoose(n, k) - n * Math.log(2));
        }
        return Math.min(1, 2 * tail);
    }

    private static double logChoose(int n, int k) {
        double log = 0;
        for (int i = 1; i <= k; i++) {
            log += Math.log(n - k + i) - Math.log(i);
        }
        return log;
    }
}
