package io.shallowserve.runtime.tensor;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether the outputs of a graph rewritten or cut at load time agree with those of the graph itself on the same
 * inputs: the one comparison the wide plan's fused graph and a fork–join split pass before they are served. Numbers
 * agree when none differs by more than {@value #TOLERANCE} of the largest absolute value in its expected tensor:
 * relative, so that the check holds at any scale of the outputs, and not exact, because a rewritten graph may add in
 * another order. BYTES must be equal.
 */
public final class TensorAgreement {

    /** Largest difference allowed from an expected tensor's value, relative to its largest absolute value. */
    public static final double TOLERANCE = 1e-5;

    private TensorAgreement() {}

    /**
     * The first difference between {@code expected} and {@code actual}, for an error message, or empty when they
     * agree.
     *
     * @param expected what the graph itself computed, in the order of its outputs
     * @param actual   what the rewritten graph computed, in the same order, of the same names
     */
    public static Optional<String> problem(List<Tensor> expected, List<Tensor> actual) {
        if (expected.size() != actual.size()) {
            return Optional.of(actual.size() + " outputs instead of " + expected.size());
        }
        for (int t = 0; t < expected.size(); t++) {
            Optional<String> problem = problem(expected.get(t), actual.get(t));
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problem(Tensor expected, Tensor actual) {
        String name = expected.name();
        if (!actual.name().equals(name)) {
            return Optional.of("output " + actual.name() + " where " + name + " was expected");
        }
        if (actual.datatype() != expected.datatype()) {
            return Optional.of(name + " is " + actual.datatype() + " instead of " + expected.datatype());
        }
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return Optional.of(name + " has shape " + Arrays.toString(actual.shape()) + " instead of "
                    + Arrays.toString(expected.shape()));
        }
        if (expected.datatype() == Datatype.BYTES) {
            return Arrays.equals(actual.raw(), expected.raw()) ? Optional.empty()
                    : Optional.of(name + " holds other strings");
        }
        double[] want = expected.numbers();
        double[] got = actual.numbers();
        double largest = 0;
        double difference = 0;
        for (int i = 0; i < want.length; i++) {
            largest = Math.max(largest, Math.abs(want[i]));
            difference = Math.max(difference, Math.abs(want[i] - got[i]));
        }
        if (!(difference <= TOLERANCE * largest)) { // NaN fails too
            return Optional.of(name + " differs by up to " + difference + " (allowed: " + TOLERANCE
                    + " of its largest value, " + largest + ")");
        }
        return Optional.empty();
    }
}
