package io.shallowserve.trainer.arch;

/**
 * The nonlinearity after every convolution. Leaky ReLU keeps a slope for negative inputs.
 *
 * <p>{@link #TAT_LEAKY_RELU} is the {@link NetworkShape#TAT} shape's own: TAT's transformed leaky ReLU
 * {@code sqrt(2 / (1 + a^2)) * LeakyReLU_a}, its slope a solved for the network's depth ({@link TatSlope#of}).
 */
public enum Activation {
    RELU,
    LEAKY_RELU,
    TAT_LEAKY_RELU;

    /** Negative-side slope used by {@link #LEAKY_RELU}; the same value is written into the ONNX graph. */
    public static final float LEAKY_RELU_ALPHA = 0.1f;
}
