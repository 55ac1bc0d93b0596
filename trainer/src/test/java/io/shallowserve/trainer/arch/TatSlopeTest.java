package io.shallowserve.trainer.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TatSlopeTest {

    @ParameterizedTest
    @CsvSource({"1, 0.2", "2, 0.45", "5, 0.5", "13, 0.9", "20, 0.9", "50, 0.9", "100, 0.95", "200, 0.9", "30, 0.1"})
    void solve_networkCMapAtZeroMeetsTarget(int depth, double target) {
        double slope = TatSlope.solve(depth, target);

        assertThat(slope).isBetween(0.0, 1.0);
        assertThat(TatSlope.networkCMapAtZero(depth, slope)).isCloseTo(target, within(1e-6));
    }

    @Test
    void localCMap_slopeZeroIsRelu_slopeOneIsLinear() {
        // ReLU's normalised arc-cosine kernel at 0 is 1/pi; a linear map keeps every correlation.
        assertThat(TatSlope.localCMap(0, 0)).isCloseTo(1 / Math.PI, within(1e-15));
        assertThat(TatSlope.networkCMapAtZero(7, 1)).isZero();
        assertThat(TatSlope.localCMap(0.3, 1)).isCloseTo(0.3, within(1e-15));
        assertThat(TatSlope.localCMap(1, 0.2)).isCloseTo(1, within(1e-15));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.1, 0.5, 0.9})
    void localCMap_equalsGaussianIntegralOfTransformedLeakyRelu(double slope) {
        for (double c : new double[] {-0.5, 0, 0.4, 0.8}) {
            assertThat(TatSlope.localCMap(c, slope)).as("c = %s", c)
                    .isCloseTo(gaussianCorrelation(slope, c), within(1e-4));
        }
        // The output scale makes the q-map the identity: E[phi(x)^2] = 1 for x ~ N(0, 1).
        assertThat(gaussianCorrelation(slope, 1)).isCloseTo(1, within(1e-4));
    }

    @Test
    void solve_targetReluReachesExactly_givesSlopeZero() {
        double relu = TatSlope.networkCMapAtZero(10, 0);

        assertThat(TatSlope.solve(10, relu)).isCloseTo(0, within(1e-9));
    }

    @Test
    void solve_tinyTarget_givesSlopeNearOne() {
        assertThat(TatSlope.solve(10, 1e-6)).isGreaterThan(0.99);
    }

    @Test
    void networkCMapAtZero_fallsAsSlopeGrows() {
        double previous = Double.POSITIVE_INFINITY;
        for (int step = 0; step <= 20; step++) {
            double value = TatSlope.networkCMapAtZero(12, step / 20.0);
            assertThat(value).isLessThan(previous);
            previous = value;
        }
    }

    @Test
    void solve_deeperChain_needsLargerSlope() {
        double previous = -1;
        for (int depth : new int[] {13, 16, 25, 50, 100, 400}) {
            double slope = TatSlope.solve(depth, 0.9);
            assertThat(slope).as("depth %d", depth).isGreaterThan(previous);
            previous = slope;
        }
    }

    @Test
    void solve_higherTarget_needsSmallerSlope() {
        assertThat(TatSlope.solve(50, 0.95)).isLessThan(TatSlope.solve(50, 0.9));
    }

    @Test
    void solve_targetOutOfReluReach_namesReluValueAndDepthNeeded() {
        assertThatThrownBy(() -> TatSlope.solve(5, 0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eta 0.9 is out of reach of 5 leaky-ReLU layers")
                .hasMessageContaining("C(0) = 0.7359")
                .hasMessageContaining("at least 13 layers");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1, -0.1, 1.5, Double.NaN})
    void solve_targetOutsideOpenUnitInterval_isRefused(double target) {
        assertThatThrownBy(() -> TatSlope.solve(20, target))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must lie strictly between 0 and 1, got " + target);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3})
    void solve_depthBelowOne_isRefused(int depth) {
        assertThatThrownBy(() -> TatSlope.solve(depth, 0.9))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("depth must be at least 1 activation layer, got " + depth);
    }

    @Test
    void forChain_reachableTarget_isSolve() {
        assertThat(TatSlope.forChain(20, 0.9)).isEqualTo(TatSlope.solve(20, 0.9));
    }

    @Test
    void forChain_chainTooShortForTarget_isRelu() {
        assertThat(TatSlope.forChain(5, 0.9)).isZero();
    }

    @Test
    void outputScale_isSqrtTwoForReluAndOneForLinear() {
        assertThat(TatSlope.outputScale(0)).isCloseTo(Math.sqrt(2), within(1e-15));
        assertThat(TatSlope.outputScale(1)).isCloseTo(1, within(1e-15));
    }

    /**
     * E[phi(u) phi(v)] for unit Gaussians u, v of correlation c, integrated numerically (v = c u + sqrt(1 - c^2) w,
     * u and w independent; midpoint rule on [-8, 8]^2): an independent check of the closed-form C-map.
     */
    private static double gaussianCorrelation(double slope, double c) {
        int steps = 1600;
        double h = 16.0 / steps;
        double[] weight = new double[steps];
        double[] point = new double[steps];
        for (int i = 0; i < steps; i++) {
            point[i] = -8 + (i + 0.5) * h;
            weight[i] = Math.exp(-point[i] * point[i] / 2) / Math.sqrt(2 * Math.PI) * h;
        }
        double s = Math.sqrt(1 - c * c);
        double sum = 0;
        for (int i = 0; i < steps; i++) {
            double phiU = phi(point[i], slope);
            for (int j = 0; j < steps; j++) {
                sum += weight[i] * weight[j] * phiU * phi(c * point[i] + s * point[j], slope);
            }
        }
        return sum;
    }

    private static double phi(double x, double slope) {
        return TatSlope.outputScale(slope) * (x >= 0 ? x : slope * x);
    }
}
