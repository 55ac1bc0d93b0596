package io.shallowserve.loadtest.input;

import com.google.gson.Gson;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One FP32 input tensor of a request, with its wire forms.
 *
 * @param name  the input's name
 * @param shape its shape
 * @param data  its elements, row-major
 */
public record Tensor(String name, long[] shape, float[] data) {

    private static final Gson JSON = new Gson();

    /** The elements as the gRPC {@code raw_input_contents} carry them: little-endian FP32, row-major. */
    public byte[] littleEndianBytes() {
        ByteBuffer bytes = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data);
        return bytes.array();
    }

    /**
     * The JSON of {@code POST /v2/models/{model}/infer} with this input as Triton's binary tensor data, its
     * {@link #littleEndianBytes()} to follow it, and every output asked back as binary data: what tritonclient.http
     * writes for {@code infer(model, [input])} after {@code input.set_data_from_numpy(images)} (its default, binary).
     */
    public String inferBinaryJson() {
        return "{\"inputs\":[{\"name\":" + JSON.toJson(name) + ",\"shape\":" + Arrays.toString(shape).replace(" ", "")
                + ",\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":" + data.length * Float.BYTES
                + "}}],\"parameters\":{\"binary_data_output\":true}}";
    }

    /** The body of {@code POST /v2/models/{model}/infer}: this one input, its data flattened. */
    public String inferJson() {
        StringBuilder json = new StringBuilder(data.length * 12 + 100);
        json.append("{\"inputs\":[{\"name\":").append(JSON.toJson(name)).append(",\"shape\":")
                .append(Arrays.toString(shape).replace(" ", ""))
                .append(",\"datatype\":\"FP32\",\"data\":[");
        for (int i = 0; i < data.length; i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append(data[i]);
        }
        return json.append("]}]}").toString();
    }
}
