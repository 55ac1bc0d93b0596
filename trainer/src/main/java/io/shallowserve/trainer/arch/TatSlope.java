package io.shallowserve.trainer.arch;

import java.util.Locale;

/**
 * The negative slope of TAT's transformed leaky ReLU (Zhang, Botev, Martens 2022, "Deep Learning without Shortcuts").
 *
 * <p>{@code phi(x) = sqrt(2 / (1 + a^2)) * LeakyReLU_a(x)}. The scale makes phi's q-map the identity: a unit Gaussian
 * input gives an output of mean square 1, so signal sizes stay put with depth. Its local C-map, how phi carries the
 * correlation c of two unit-variance inputs to the correlation of the outputs, is
 * {@code C(c) = c + (1 - a)^2 / (pi (1 + a^2)) * (sqrt(1 - c^2) - c arccos c)}. A chain of L such layers has the
 * C-map C composed L times; TAT chooses a so that {@code C^L(0) = eta}: the network keeps uncorrelated inputs from
 * becoming indistinguishable (C near 1) however deep it is. a = 1 is linear ({@code C^L(0) = 0}); a = 0 is ReLU, the
 * most nonlinear leaky ReLU, and {@code C^L(0)} falls monotonically from ReLU's value to 0 as a goes from 0 to 1.
 */
public final class TatSlope {

    /** TAT's default eta, the value of the network's C-map at 0 that the slope is solved for. */
    public static final double DEFAULT_TARGET = 0.9;

    /** Bisection stops when the bracket around the slope is narrower than this. */
    private static final double SLOPE_TOLERANCE = 1e-12;

    private TatSlope() {
    }

    /** The local C-map of phi with slope {@code slope}, at correlation {@code c} in [-1, 1]. */
    public static double localCMap(double c, double slope) {
        double nonlinearity = (1 - slope) * (1 - slope) / (Math.PI * (1 + slope * slope));
        return c + nonlinearity * (Math.sqrt(Math.max(0, 1 - c * c)) - c * Math.acos(c));
    }

    /** {@code C^depth(0)}: the C-map at 0 of {@code depth} layers of phi with slope {@code slope}. */
    public static double networkCMapAtZero(int depth, double slope) {
        checkDepth(depth);
        double c = 0;
        for (int layer = 0; layer < depth; layer++) {
            c = localCMap(c, slope);
        }
        return c;
    }

    /** {@code sqrt(2 / (1 + a^2))}: the output scale that makes phi's q-map the identity. */
    public static double outputScale(double slope) {
        return Math.sqrt(2 / (1 + slope * slope));
    }

    /**
     * The slope a in [0, 1] with {@code C^depth(0) = target}, by bisection (C^depth(0) falls as a grows).
     *
     * @throws IllegalArgumentException if depth is below 1, target is not strictly between 0 and 1, or even ReLU
     *                                  (a = 0) stays below target at this depth
     */
    public static double solve(int depth, double target) {
        checkDepth(depth);
        checkTarget(target);
        double relu = networkCMapAtZero(depth, 0);
        if (relu < target) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "eta %s is out of reach of %d leaky-ReLU layers: even ReLU (slope 0) gives C(0) = %.4f;"
                            + " reaching %s takes at least %d layers",
                    target, depth, relu, target, reluDepthReaching(target)));
        }
        double low = 0;
        double high = 1;
        while (high - low > SLOPE_TOLERANCE) {
            double middle = (low + high) / 2;
            if (networkCMapAtZero(depth, middle) > target) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return (low + high) / 2;
    }

    /**
     * The slope TAT gives a chain of {@code depth} layers: {@link #solve}, or 0 where even ReLU stays below
     * {@code target} at this depth. TAT bounds the network's C-map at 0 by eta and takes the most nonlinear slope
     * within that bound; a chain too short to reach eta is within it for every slope, and ReLU is the most nonlinear.
     *
     * @throws IllegalArgumentException if depth is below 1 or target is not strictly between 0 and 1
     */
    public static double forChain(int depth, double target) {
        checkDepth(depth);
        checkTarget(target);
        return networkCMapAtZero(depth, 0) < target ? 0 : solve(depth, target);
    }

    /**
     * The slope of every {@link Activation#TAT_LEAKY_RELU} of a network of {@code spec}, as the float the DJL block
     * and the ONNX graph use: {@link #forChain} at {@link #DEFAULT_TARGET} over {@code units + 1} layers. The stem's
     * activation counts with the units': all of them lie between the input and the head, and the network's C-map is
     * the composition of every one of them.
     */
    public static float of(ArchitectureSpec spec) {
        return (float) forChain(spec.units() + 1, DEFAULT_TARGET);
    }

    /** The fewest layers of ReLU whose C-map at 0 reaches {@code target} (below 1, so the count is finite). */
    private static int reluDepthReaching(double target) {
        int depth = 0;
        double c = 0;
        while (c < target) {
            c = localCMap(c, 0);
            depth++;
        }
        return depth;
    }

    private static void checkDepth(int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be at least 1 activation layer, got " + depth);
        }
    }

    private static void checkTarget(double target) {
        if (!(target > 0 && target < 1)) {
            throw new IllegalArgumentException("eta, the target value of the network's C-map at 0, must lie strictly"
                    + " between 0 and 1, got " + target);
        }
    }
}
