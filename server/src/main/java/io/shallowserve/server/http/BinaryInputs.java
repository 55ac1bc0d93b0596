package io.shallowserve.server.http;

import io.shallowserve.server.inference.InferenceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

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
     * The next {@code byteSize} bytes as the little-endian FP32 elements of input {@code input}, row-major.
     *
     * @throws InferenceException INVALID_ARGUMENT when {@code byteSize} is not what {@code shape} needs or runs past
     *                            the end of the body
     */
    float[] fp32(String input, long byteSize, long[] shape, int elementCount) throws InferenceException {
        if (!framed && byteSize > 0) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize
                    + ", but the request has no Inference-Header-Content-Length header to say where the JSON ends"
                    + " and the binary data begins");
        }
        long needed = (long) elementCount * Float.BYTES;
        if (byteSize != needed) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize + "; shape "
                    + Arrays.toString(shape) + " of FP32 needs " + needed + " bytes (4 per element)");
        }
        int left = body.length - next;
        if (byteSize > left) {
            throw InferenceException.invalid("input '" + input + "' has \"binary_data_size\": " + byteSize
                    + ", but only " + left + " bytes of binary data are left in the body (" + (body.length - start)
                    + " bytes follow the " + start + "-byte JSON header that Inference-Header-Content-Length gives)");
        }
        float[] values = new float[elementCount];
        ByteBuffer.wrap(body, next, (int) byteSize).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        next += (int) byteSize;
        return values;
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
