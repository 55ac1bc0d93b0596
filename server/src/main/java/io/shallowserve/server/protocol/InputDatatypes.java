package io.shallowserve.server.protocol;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.server.inference.InferenceException;

/** The datatype of an input as clients name it, read alike by both protocol front-ends. */
public final class InputDatatypes {

    /** The protocol's datatypes this server does not take: ONNX Runtime's Java API cannot pass them. */
    private static final String NOT_TAKEN = "BF16";

    private InputDatatypes() {
    }

    /**
     * The datatype {@code name} of input {@code input}.
     *
     * @throws InferenceException INVALID_ARGUMENT naming the input, for BF16 (a datatype of the protocol, which this
     *                            server cannot pass to ONNX Runtime) and for names the protocol does not have
     */
    public static Datatype parse(String input, String name) throws InferenceException {
        if (name.equals(NOT_TAKEN)) {
            throw InferenceException.invalid("input '" + input + "' has datatype BF16, which this server does not"
                    + " take: ONNX Runtime's Java API cannot pass it (send FP32 to a model that takes it)");
        }
        return Datatype.parse(name).orElseThrow(() -> InferenceException.invalid("input '" + input
                + "' has datatype '" + name + "', which the protocol does not have (BOOL, UINT8 to UINT64, INT8 to"
                + " INT64, FP16, BF16, FP32, FP64, BYTES)"));
    }
}
