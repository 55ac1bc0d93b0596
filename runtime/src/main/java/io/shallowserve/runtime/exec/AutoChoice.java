package io.shallowserve.runtime.exec;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code auto} serves, from the batch-1 medians it measured at load: the fastest candidate, except that a
 * candidate that keeps more cores busy per request must beat the best on fewer cores by {@link #MARGIN} to be chosen.
 * The medians are measured in-process with nothing else running; in the server the extra core is shared with the
 * network and decoding threads and with other requests. Measured on 2 cores (2026-12-02, the default pair): wide on
 * two intra-op threads was 5 % faster in-process than on one, then over gRPC 0.89× to 1.21× deep in two runs where
 * wide on one thread held 0.89×.
 */
public final class AutoChoice {

    /** How much faster (as a fraction of the fewer-core candidate's median) a candidate on more cores must be. */
    public static final double MARGIN = 0.10;

    /** One measured candidate: its name ("wide 2t", "grouped") and the cores a request keeps busy on it. */
    public record Candidate(String name, int cores) {}

    private AutoChoice() {}

    /**
     * The candidate to serve: going up in cores, the fastest at each core count replaces the choice so far only if
     * its median is below the choice's by more than {@link #MARGIN}; ties at one core count go to the first listed.
     *
     * @param medians batch-1 median latency of every candidate, by name
     */
    public static Candidate choose(List<Candidate> candidates, Map<String, Double> medians) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no candidates to choose from");
        }
        TreeMap<Integer, Candidate> fastestByCores = new TreeMap<>();
        for (Candidate candidate : candidates) {
            fastestByCores.merge(candidate.cores(), candidate,
                    (kept, next) -> median(medians, next) < median(medians, kept) ? next : kept);
        }
        Candidate chosen = fastestByCores.firstEntry().getValue();
        for (Candidate moreCores : fastestByCores.tailMap(chosen.cores(), false).values()) {
            if (median(medians, moreCores) < (1 - MARGIN) * median(medians, chosen)) {
                chosen = moreCores;
            }
        }
        return chosen;
    }

    private static double median(Map<String, Double> medians, Candidate candidate) {
        Double median = medians.get(candidate.name());
        if (median == null) {
            throw new IllegalArgumentException("no median measured for " + candidate.name());
        }
        return median;
    }
}
