package io.shallowserve.trainer.arch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * The convolution weights TAT starts from (after DKS, Martens et al. 2021): a Delta initialisation of the scaled
 * uniform orthogonal distribution. Every tap of the kernel is zero but the centre one, an out x in matrix with
 * orthonormal columns (out &gt;= in) or rows (out &lt; in), times {@code max(sqrt(out / in), 1)}. With zero biases the
 * convolution then keeps the mean square of its input per channel (its q value) at every position, and TAT's
 * activation keeps it too, so the signal neither grows nor shrinks along the chain.
 *
 * <p>The Gaussian matrix that is made orthonormal comes from the engine's random generator, so the engine's seed
 * fixes the weights.
 */
final class DeltaOrthogonal implements Initializer {

    /** @param shape DJL's convolution layout, (out, in, kernel height, kernel width), both kernel sizes odd */
    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        if (shape.dimension() != 4 || shape.get(2) % 2 == 0 || shape.get(3) % 2 == 0) {
            throw new IllegalArgumentException("a Delta initialisation needs a convolution weight (out, in, kh, kw)"
                    + " with odd kernel sizes, got " + shape);
        }
        int out = (int) shape.get(0);
        int in = (int) shape.get(1);
        int kernelHeight = (int) shape.get(2);
        int kernelWidth = (int) shape.get(3);
        double[][] centre = scaledOrthogonal(manager.randomNormal(new Shape(out, in)).toFloatArray(), out, in);
        float[] weights = new float[out * in * kernelHeight * kernelWidth];
        int centreTap = (kernelHeight / 2) * kernelWidth + kernelWidth / 2;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                weights[(o * in + i) * kernelHeight * kernelWidth + centreTap] = (float) centre[o][i];
            }
        }
        return manager.create(weights, shape).toType(dataType, false);
    }

    /**
     * The out x in Gaussian matrix (row-major) made orthonormal along its shorter side by Gram-Schmidt and scaled
     * by {@code max(sqrt(out / in), 1)}.
     */
    private static double[][] scaledOrthogonal(float[] gaussian, int out, int in) {
        boolean columns = out >= in;
        int vectors = columns ? in : out;
        int length = columns ? out : in;
        double[][] basis = new double[vectors][length];
        for (int v = 0; v < vectors; v++) {
            for (int e = 0; e < length; e++) {
                basis[v][e] = columns ? gaussian[e * in + v] : gaussian[v * in + e];
            }
            // Modified Gram-Schmidt, twice: one pass leaves rounding errors that a second removes.
            for (int pass = 0; pass < 2; pass++) {
                for (int u = 0; u < v; u++) {
                    double dot = 0;
                    for (int e = 0; e < length; e++) {
                        dot += basis[u][e] * basis[v][e];
                    }
                    for (int e = 0; e < length; e++) {
                        basis[v][e] -= dot * basis[u][e];
                    }
                }
            }
            double norm = 0;
            for (int e = 0; e < length; e++) {
                norm += basis[v][e] * basis[v][e];
            }
            norm = Math.sqrt(norm);
            for (int e = 0; e < length; e++) {
                basis[v][e] /= norm;
            }
        }
        double scale = Math.max(Math.sqrt((double) out / in), 1);
        double[][] matrix = new double[out][in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                matrix[o][i] = scale * (columns ? basis[i][o] : basis[o][i]);
            }
        }
        return matrix;
    }
}
