package io.shallowserve.trainer.export;

import io.shallowserve.trainer.arch.Activation;
import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.TatSlope;
import java.util.List;

/**
 * The network's forward pass written out as plain loops, in double precision, straight from the definition
 * in ArchitectureSpec and NetworkShape. It shares no code with the exporter, so agreement between the two
 * is evidence that the ONNX graphs compute the intended function.
 */
final class ReferenceForward {

    private ReferenceForward() {
    }

    /**
     * Logits for a batch of images.
     *
     * @param pixels NCHW, {@code batch * C * H * W} values in [0,1]
     * @return row-major [batch, classes]
     */
    static float[] logits(FoldedNetwork network, float[] pixels, int batch) {
        ArchitectureSpec spec = network.spec();
        int imageSize = spec.inputChannels() * spec.inputHeight() * spec.inputWidth();
        float[] logits = new float[batch * spec.classes()];
        for (int n = 0; n < batch; n++) {
            double[][][] image = new double[spec.inputChannels()][spec.inputHeight()][spec.inputWidth()];
            for (int c = 0; c < spec.inputChannels(); c++) {
                for (int y = 0; y < spec.inputHeight(); y++) {
                    for (int x = 0; x < spec.inputWidth(); x++) {
                        image[c][y][x] = pixels[n * imageSize + (c * spec.inputHeight() + y) * spec.inputWidth() + x];
                    }
                }
            }
            double[] imageLogits = forward(network, image);
            for (int j = 0; j < spec.classes(); j++) {
                logits[n * spec.classes() + j] = (float) imageLogits[j];
            }
        }
        return logits;
    }

    private static double[] forward(FoldedNetwork network, double[][][] image) {
        ArchitectureSpec spec = network.spec();
        double[][][] normalised = new double[image.length][][];
        for (int c = 0; c < image.length; c++) {
            normalised[c] = new double[image[c].length][image[c][0].length];
            for (int y = 0; y < image[c].length; y++) {
                for (int x = 0; x < image[c][y].length; x++) {
                    normalised[c][y][x] = (image[c][y][x] - network.channelMean()[c]) / network.channelStd()[c];
                }
            }
        }
        double[][][] h0 = activate(spec, conv(normalised, network.stem()));
        if (spec.stemPool()) {
            h0 = maxPool2x2(h0);
        }
        List<FoldedNetwork.Conv> units = network.units();
        double[][][] features;
        switch (network.shape()) {
            case DEEP -> {
                features = h0;
                for (FoldedNetwork.Conv unit : units) {
                    features = add(features, activate(spec, conv(features, unit)));
                }
            }
            case SHALLOW -> {
                features = h0;
                for (FoldedNetwork.Conv unit : units) {
                    features = add(features, activate(spec, conv(h0, unit)));
                }
            }
            case TAT -> {
                features = h0;
                for (FoldedNetwork.Conv unit : units) {
                    features = activate(spec, conv(features, unit));
                }
            }
            case PARNET -> {
                // h0 + each stream's residual increments; the streams after the first on h0 pooled 2x2, upsampled.
                features = h0;
                int length = spec.unitsPerStream();
                for (int s = 0; s < spec.streams(); s++) {
                    double[][][] input = s == 0 ? h0 : averagePool2x2(h0);
                    double[][][] chained = input;
                    for (FoldedNetwork.Conv unit : units.subList(s * length, (s + 1) * length)) {
                        chained = add(chained, activate(spec, conv(chained, unit)));
                    }
                    double[][][] increments = subtract(chained, input);
                    features = add(features, s == 0 ? increments : repeat2x2(increments));
                }
            }
            default -> throw new IllegalStateException();
        }
        double[] flat = averagePoolAndFlatten(features, spec.headPool());
        FoldedNetwork.Dense dense = network.head();
        double[] logits = new double[dense.outFeatures()];
        for (int o = 0; o < dense.outFeatures(); o++) {
            double sum = dense.bias()[o];
            for (int i = 0; i < dense.inFeatures(); i++) {
                sum += dense.weight()[o * dense.inFeatures() + i] * flat[i];
            }
            logits[o] = sum;
        }
        return logits;
    }

    /** Stride 1, zero padding (k-1)/2 on every side, so the output has the input's height and width. */
    private static double[][][] conv(double[][][] in, FoldedNetwork.Conv conv) {
        int height = in[0].length;
        int width = in[0][0].length;
        int k = conv.kernel();
        int pad = (k - 1) / 2;
        double[][][] out = new double[conv.outChannels()][height][width];
        for (int o = 0; o < conv.outChannels(); o++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double sum = conv.bias()[o];
                    for (int i = 0; i < conv.inChannels(); i++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                int sy = y + ky - pad;
                                int sx = x + kx - pad;
                                if (sy >= 0 && sy < height && sx >= 0 && sx < width) {
                                    sum += conv.weight()[((o * conv.inChannels() + i) * k + ky) * k + kx] * in[i][sy][sx];
                                }
                            }
                        }
                    }
                    out[o][y][x] = sum;
                }
            }
        }
        return out;
    }

    /** The spec's activation; TAT's is sqrt(2 / (1 + a^2)) * LeakyReLU_a with the slope TatSlope solves. */
    private static double[][][] activate(ArchitectureSpec spec, double[][][] in) {
        double negativeSlope = switch (spec.activation()) {
            case RELU -> 0;
            case LEAKY_RELU -> Activation.LEAKY_RELU_ALPHA;
            case TAT_LEAKY_RELU -> TatSlope.of(spec);
        };
        double scale = spec.activation() == Activation.TAT_LEAKY_RELU
                ? Math.sqrt(2 / (1 + negativeSlope * negativeSlope)) : 1;
        double[][][] out = new double[in.length][in[0].length][in[0][0].length];
        for (int c = 0; c < in.length; c++) {
            for (int y = 0; y < in[c].length; y++) {
                for (int x = 0; x < in[c][y].length; x++) {
                    double v = in[c][y][x];
                    out[c][y][x] = scale * (v >= 0 ? v : negativeSlope * v);
                }
            }
        }
        return out;
    }

    /** 2x2 windows, stride 2; a last odd row or column is dropped. */
    private static double[][][] maxPool2x2(double[][][] in) {
        int height = in[0].length / 2;
        int width = in[0][0].length / 2;
        double[][][] out = new double[in.length][height][width];
        for (int c = 0; c < in.length; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[c][y][x] = Math.max(Math.max(in[c][2 * y][2 * x], in[c][2 * y][2 * x + 1]),
                            Math.max(in[c][2 * y + 1][2 * x], in[c][2 * y + 1][2 * x + 1]));
                }
            }
        }
        return out;
    }

    /** Mean of 2x2 windows, stride 2 (the map's sides are even). */
    private static double[][][] averagePool2x2(double[][][] in) {
        double[][][] out = new double[in.length][in[0].length / 2][in[0][0].length / 2];
        for (int c = 0; c < in.length; c++) {
            for (int y = 0; y < out[c].length; y++) {
                for (int x = 0; x < out[c][y].length; x++) {
                    out[c][y][x] = (in[c][2 * y][2 * x] + in[c][2 * y][2 * x + 1] + in[c][2 * y + 1][2 * x]
                            + in[c][2 * y + 1][2 * x + 1]) / 4;
                }
            }
        }
        return out;
    }

    /** Each value copied into a 2x2 block: twice the height and width. */
    private static double[][][] repeat2x2(double[][][] in) {
        double[][][] out = new double[in.length][2 * in[0].length][2 * in[0][0].length];
        for (int c = 0; c < in.length; c++) {
            for (int y = 0; y < out[c].length; y++) {
                for (int x = 0; x < out[c][y].length; x++) {
                    out[c][y][x] = in[c][y / 2][x / 2];
                }
            }
        }
        return out;
    }

    private static double[][][] subtract(double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][a[0].length][a[0][0].length];
        for (int c = 0; c < a.length; c++) {
            for (int y = 0; y < a[c].length; y++) {
                for (int x = 0; x < a[c][y].length; x++) {
                    out[c][y][x] = a[c][y][x] - b[c][y][x];
                }
            }
        }
        return out;
    }

    private static double[][][] add(double[][][] a, double[][][] b) {
        double[][][] out = new double[a.length][a[0].length][a[0][0].length];
        for (int c = 0; c < a.length; c++) {
            for (int y = 0; y < a[c].length; y++) {
                for (int x = 0; x < a[c][y].length; x++) {
                    out[c][y][x] = a[c][y][x] + b[c][y][x];
                }
            }
        }
        return out;
    }

    /** Mean over each of cells x cells equal blocks, flattened channel-major: index (c * cells + cy) * cells + cx. */
    private static double[] averagePoolAndFlatten(double[][][] in, int cells) {
        int cellHeight = in[0].length / cells;
        int cellWidth = in[0][0].length / cells;
        double[] flat = new double[in.length * cells * cells];
        for (int c = 0; c < in.length; c++) {
            for (int cy = 0; cy < cells; cy++) {
                for (int cx = 0; cx < cells; cx++) {
                    double sum = 0;
                    for (int y = cy * cellHeight; y < (cy + 1) * cellHeight; y++) {
                        for (int x = cx * cellWidth; x < (cx + 1) * cellWidth; x++) {
                            sum += in[c][y][x];
                        }
                    }
                    flat[(c * cells + cy) * cells + cx] = sum / (cellHeight * cellWidth);
                }
            }
        }
        return flat;
    }
}
