package io.shallowserve.server.protocol;

import io.shallowserve.server.inference.InferenceException;
import java.util.Arrays;

/** Checks of tensor shapes as clients send them, shared by both protocol front-ends. */
public final class TensorShapes {

    /** The most elements a Java array can hold on every JVM. */
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private TensorShapes() {
    }

    /**
     * The number of elements of a tensor of {@code shape}.
     *
     * @throws InferenceException INVALID_ARGUMENT for a negative dimension or more elements than a Java array holds
     */
    public static int elementCount(String tensor, long[] shape) throws InferenceException {
        long count = 1;
        for (long dimension : shape) {
            if (dimension < 0) {
                throw InferenceException.invalid(
                        "tensor '" + tensor + "' has shape " + Arrays.toString(shape) + "; dimensions must be >= 0");
            }
            // Both factors stay below 2^31, so the product cannot overflow a long.
            if (dimension > MAX_ELEMENTS || (count *= dimension) > MAX_ELEMENTS) {
                throw InferenceException.invalid(
                        "tensor '" + tensor + "' has shape " + Arrays.toString(shape) + ": too many elements");
            }
        }
        return (int) count;
    }
}
