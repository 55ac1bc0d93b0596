package io.shallowserve.trainer.arch;

/** The nonlinearity after every convolution. Leaky ReLU keeps a slope for negative inputs. */
public enum Activation {
    RELU,
    LEAKY_RELU;

    /** Negative-side slope used by {@link #LEAKY_RELU}; the same value is written into the ONNX graph. */
    public static final float LEAKY_RELU_ALPHA = 0.1f;
}
