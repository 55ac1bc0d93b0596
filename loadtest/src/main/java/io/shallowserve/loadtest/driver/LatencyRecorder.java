package io.shallowserve.loadtest.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Collects the outcomes of one run, from any thread: the latency of each successful request (from the time it
 * counts from to the time its answer arrived), and failures by kind.
 */
public final class LatencyRecorder {

    private static final long LOWEST_NANOS = 1_000;
    private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(10);
    /** Steps of the distribution kept for plots. */
    private static final int CDF_POINTS = 200;
    /** Distinct failure kinds kept; later ones are counted under {@link #OTHER_ERRORS}. */
    private static final int ERROR_KINDS = 20;
    static final String OTHER_ERRORS = "other";

    private final Histogram latencies = new ConcurrentHistogram(LOWEST_NANOS, HIGHEST_NANOS, 3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final AtomicLong lastAnswerNanos = new AtomicLong(Long.MIN_VALUE);

    /**
     * Records one outcome.
     *
     * @param fromNanos when the request's latency starts: its intended send time in an open loop, its send time in
     *                  a closed loop
     * @param answeredNanos when its answer (or failure) arrived
     * @param error     null on success, else the failure's kind
     */
    public void record(long fromNanos, long answeredNanos, String error) {
        lastAnswerNanos.accumulateAndGet(answeredNanos, Math::max);
        if (error != null) {
            failures(error, 1);
            return;
        }
        latencies.recordValue(Math.clamp(answeredNanos - fromNanos, 0, HIGHEST_NANOS));
    }

    /** Counts {@code count} failures of one kind that have no answer time (requests never answered). */
    public void failures(String kind, long count) {
        if (count > 0) {
            // Failure kinds carry the server's message, which may differ from request to request: keep a few.
            String key = errors.containsKey(kind) || errors.size() < ERROR_KINDS ? kind : OTHER_ERRORS;
            errors.computeIfAbsent(key, k -> new LongAdder()).add(count);
        }
    }

    /** The latest answer recorded so far, or {@code Long.MIN_VALUE}. */
    public long lastAnswerNanos() {
        return lastAnswerNanos.get();
    }

    /** The summary of what was recorded in a run that lasted {@code seconds}. */
    public LatencySummary summary(double seconds) {
        Histogram snapshot = latencies.copy();
        long ok = snapshot.getTotalCount();
        Map<String, Long> errorKinds = new TreeMap<>();
        errors.forEach((kind, count) -> errorKinds.put(kind, count.sum()));
        long failed = errorKinds.values().stream().mapToLong(Long::longValue).sum();
        return new LatencySummary(ok + failed, failed, errorKinds, seconds,
                percentileMicros(snapshot, 50), percentileMicros(snapshot, 90), percentileMicros(snapshot, 99),
                ok == 0 ? Double.NaN : snapshot.getMaxValue() / 1000.0,
                ok / seconds, 1, cdf(snapshot));
    }

    private static double percentileMicros(Histogram histogram, double percentile) {
        return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    /** At most {@link #CDF_POINTS} steps, thinned evenly over the recorded values. */
    private static List<LatencySummary.CdfPoint> cdf(Histogram histogram) {
        List<LatencySummary.CdfPoint> all = new ArrayList<>();
        long total = histogram.getTotalCount();
        long seen = 0;
        for (HistogramIterationValue value : histogram.recordedValues()) {
            seen += value.getCountAtValueIteratedTo();
            all.add(new LatencySummary.CdfPoint(
                    histogram.highestEquivalentValue(value.getValueIteratedTo()) / 1000.0, (double) seen / total));
        }
        if (all.size() <= CDF_POINTS) {
            return all;
        }
        List<LatencySummary.CdfPoint> thinned = new ArrayList<>(CDF_POINTS);
        for (int i = 0; i < CDF_POINTS; i++) {
            thinned.add(all.get((int) ((long) i * (all.size() - 1) / (CDF_POINTS - 1))));
        }
        return thinned;
    }
}
