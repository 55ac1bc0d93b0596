package io.shallowserve.trainer.export;

import io.shallowserve.trainer.arch.ArchitectureSpec;
import io.shallowserve.trainer.arch.NetworkShape;
import java.util.List;

/**
 * A trained network reduced to what inference needs, in ONNX layout: batch norm is already folded into
 * each convolution's weight and bias, and the input normalisation is kept as per-channel mean and std.
 *
 * @param spec          the architecture the network was built from: {@code forShape(shape)} of the spec the shapes
 *                      share
 * @param shape         how the units are wired
 * @param channelMean   per input channel, subtracted from the [0,1] pixels first
 * @param channelStd    per input channel, divides after the mean is subtracted
 * @param stem          the stem convolution (followed by the activation and, if the spec says so, a max pool)
 * @param units         the L unit convolutions F_k (each followed by the activation)
 * @param head          the dense layer after the average pool
 */
public record FoldedNetwork(
        ArchitectureSpec spec,
        NetworkShape shape,
        float[] channelMean,
        float[] channelStd,
        Conv stem,
        List<Conv> units,
        Dense head) {

    public FoldedNetwork {
        units = List.copyOf(units);
        if (!spec.equals(spec.forShape(shape))) {
            throw new IllegalArgumentException("a " + shape.id() + " network is built from " + spec.forShape(shape)
                    + ", got " + spec);
        }
        if (channelMean.length != spec.inputChannels() || channelStd.length != spec.inputChannels()) {
            throw new IllegalArgumentException("normalisation needs one mean and std per input channel ("
                    + spec.inputChannels() + ")");
        }
        if (units.size() != spec.units()) {
            throw new IllegalArgumentException("spec has " + spec.units() + " units, got " + units.size());
        }
    }

    /**
     * A convolution with "same" padding and stride 1.
     *
     * @param weight OIHW: outChannels x inChannels x kernel x kernel
     * @param bias   outChannels
     */
    public record Conv(int outChannels, int inChannels, int kernel, float[] weight, float[] bias) {
        public Conv {
            if (weight.length != outChannels * inChannels * kernel * kernel || bias.length != outChannels) {
                throw new IllegalArgumentException("conv " + outChannels + "x" + inChannels + "x" + kernel + "x"
                        + kernel + " got " + weight.length + " weights and " + bias.length + " biases");
            }
        }

        /** The convolution whose output is this one's times {@code factor}: weights and biases multiplied. */
        public Conv scaled(float factor) {
            float[] scaledWeight = weight.clone();
            float[] scaledBias = bias.clone();
            for (int i = 0; i < scaledWeight.length; i++) {
                scaledWeight[i] *= factor;
            }
            for (int i = 0; i < scaledBias.length; i++) {
                scaledBias[i] *= factor;
            }
            return new Conv(outChannels, inChannels, kernel, scaledWeight, scaledBias);
        }
    }

    /**
     * A dense layer y = W x + b.
     *
     * @param weight row-major outFeatures x inFeatures (ONNX Gemm with transB = 1)
     * @param bias   outFeatures
     */
    public record Dense(int outFeatures, int inFeatures, float[] weight, float[] bias) {
        public Dense {
            if (weight.length != outFeatures * inFeatures || bias.length != outFeatures) {
                throw new IllegalArgumentException("dense " + outFeatures + "x" + inFeatures + " got "
                        + weight.length + " weights and " + bias.length + " biases");
            }
        }
    }
}
