package io.shallowserve.server.http;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.inference.InferenceException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The binary section of an infer request body (Triton's binary tensor data extension): the bytes after the JSON
 * inference header, which the inputs with a {@code "binary_data_size"} parameter take one after the other, in the
 * order the JSON lists them. Every byte must be taken by exactly one input.
 */
final class BinaryInputs {

    private final byte[] body;
    private final int start;
    /** Whether the request said where its JSON ends (Inference-Header-Content-Length); without it, nothing follows. */
    private final boolean framed;
    private int next;

    private BinaryInputs(byte[] body, int start, boolean framed) {
        this.body = body;
        this.start = start;
        this.framed = framed;
        this.next = start;
    }

    /** A body that is JSON only: no Inference-Header-Content-Length header. */
    static BinaryInputs none() {
        return new BinaryInputs(new byte[0], 0, false);
    }

    /** The bytes of {@code body} after its first {@code jsonLength} bytes, the JSON inference header. */
    static BinaryInputs after(byte[] body, int jsonLength) {
        return new BinaryInputs(body, jsonLength, true);
    }

    /**
     * The next {@code byteSize} bytes as the raw data of input {@code input}: little-endian elements, row-major, BYTES
     * elements each with its 4-byte length first ({@link Tensor}).
     *
     * @throws InferenceException INVALID_ARGUMENT when {@code byteSize} is not what {@code shape} needs or runs past
     *                            the end of the body
     */
    Tensor take(String input, Datatype datatype, long byteSize, long[] shape) throws InferenceException {
        if (!framed && byteSize > 0) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize
                    + ", but the request has no Inference-Header-Content-Length header to say where the JSON ends"
                    + " and the binary data begins");
        }
        long needed = Tensor.elementCount(shape) * datatype.byteSize();
        if (datatype != Datatype.BYTES && byteSize != needed) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize + "; shape "
                    + Arrays.toString(shape) + " of " + datatype + " needs " + needed + " bytes ("
                    + datatype.byteSize() + " per element)");
        }
        int left = body.length - next;
        if (byteSize > left) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize
                    + ", but only " + left + " bytes of binary data are left in the body (" + (body.length - start)
                    + " bytes follow the " + start + "-byte JSON header that Inference-Header-Content-Length gives)");
        }
        byte[] raw = Arrays.copyOfRange(body, next, next + (int) byteSize);
        Optional<String> problem = Tensor.layoutProblem(datatype, shape, raw);
        if (problem.isPresent()) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize + ": "
                    + problem.get());
        }
        next += (int) byteSize;
        return new Tensor(input, datatype, shape, raw);
    }

    /**
     * Checks that the inputs took every byte after the JSON header.
     *
     * @throws InferenceException INVALID_ARGUMENT naming how many bytes no input claimed
     */
    void checkAllTaken() throws InferenceException {
        if (next < body.length) {
            throw InferenceException.invalid("the body has " + (body.length - next) + " bytes after the binary data"
                    + " of its inputs: their \"binary_data_size\" values add up to " + (next - start) + " of the "
                    + (body.length - start) + " bytes after the " + start
                    + "-byte JSON header (Inference-Header-Content-Length)");
        }
    }
}
