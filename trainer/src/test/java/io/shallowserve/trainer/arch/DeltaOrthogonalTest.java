package io.shallowserve.trainer.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeltaOrthogonalTest {

    @ParameterizedTest(name = "out {0}, in {1}, kernel {2}")
    @CsvSource({"8, 8, 3", "16, 1, 3", "12, 3, 5", "4, 8, 3"})
    void initialize_zeroButCentreTap_centreOrthogonalScaledToKeepMeanSquare(int out, int in, int kernel) {
        float[] weights = weights(new Shape(out, in, kernel, kernel), 5);
        int taps = kernel * kernel;
        int centre = (kernel / 2) * kernel + kernel / 2;
        double[][] matrix = new double[out][in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int tap = 0; tap < taps; tap++) {
                    float value = weights[(o * in + i) * taps + tap];
                    if (tap == centre) {
                        matrix[o][i] = value;
                    } else {
                        assertThat(value).as("tap %d of (%d, %d)", tap, o, i).isZero();
                    }
                }
            }
        }
        // out >= in: W^T W = (out / in) I, so |Wx|^2 / out = |x|^2 / in. out < in: W W^T = I.
        boolean columns = out >= in;
        int size = columns ? in : out;
        double expected = columns ? (double) out / in : 1;
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                double dot = 0;
                for (int e = 0; e < (columns ? out : in); e++) {
                    dot += columns ? matrix[e][a] * matrix[e][b] : matrix[a][e] * matrix[b][e];
                }
                assertThat(dot).as("(%d, %d)", a, b).isCloseTo(a == b ? expected : 0, within(1e-5));
            }
        }
    }

    @Test
    void initialize_sameEngineSeed_sameWeights_otherSeed_otherWeights() {
        Shape shape = new Shape(6, 6, 3, 3);

        assertThat(weights(shape, 1)).containsExactly(weights(shape, 1));
        assertThat(weights(shape, 2)).isNotEqualTo(weights(shape, 1));
    }

    @Test
    void initialize_evenKernel_isRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> new DeltaOrthogonal().initialize(manager, new Shape(4, 4, 2, 2),
                    DataType.FLOAT32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("odd kernel sizes, got (4, 4, 2, 2)");
        }
    }

    private static float[] weights(Shape shape, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        try (NDManager manager = NDManager.newBaseManager()) {
            return new DeltaOrthogonal().initialize(manager, shape, DataType.FLOAT32).toFloatArray();
        }
    }
}
