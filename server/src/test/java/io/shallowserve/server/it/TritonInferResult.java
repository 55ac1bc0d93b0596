package io.shallowserve.server.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An infer response decoded the way tritonclient.http's {@code InferResult} decodes it, step for step
 * (triton-inference-server/client at 58a44caa0dce77303115302e6dbdf64626b2b093,
 * src/python/library/tritonclient/http/_infer_result.py; BYTES as {@code deserialize_bytes_tensor} in
 * src/python/library/tritonclient/utils/__init__.py):
 * <ul>
 * <li>without an Inference-Header-Content-Length header the whole body is the JSON;</li>
 * <li>with one, its first N bytes are the JSON and the rest is the buffer; walking the outputs in order, each output
 * with {@code parameters.binary_data_size} starts where the previous one ended;</li>
 * <li>{@code as_numpy}: an output with {@code binary_data_size} is read from the buffer (FP32 as little-endian floats,
 * INT64 as little-endian longs, BOOL as a byte each, BYTES as a 4-byte little-endian length then the bytes, repeated;
 * none at all where its binary_data_size is 0), any other from its {@code "data"}.</li>
 * </ul>
 */
final class TritonInferResult {

    private final JsonObject result;
    private final ByteBuffer buffer;
    private final Map<String, Integer> bufferIndex = new HashMap<>();

    TritonInferResult(RawHttp.Response response) {
        String headerLength = response.header("Inference-Header-Content-Length");
        byte[] body = response.bytes();
        if (headerLength == null) {
            result = JsonParser.parseString(new String(body, StandardCharsets.UTF_8)).getAsJsonObject();
            buffer = ByteBuffer.allocate(0);
            return;
        }
        int length = Integer.parseInt(headerLength);
        result = JsonParser.parseString(new String(body, 0, length, StandardCharsets.UTF_8)).getAsJsonObject();
        buffer = ByteBuffer.wrap(body, length, body.length - length).slice().order(ByteOrder.LITTLE_ENDIAN);
        int index = 0;
        for (JsonElement output : result.getAsJsonArray("outputs")) {
            JsonObject parameters = output.getAsJsonObject().getAsJsonObject("parameters");
            if (parameters != null && parameters.has("binary_data_size")) {
                bufferIndex.put(output.getAsJsonObject().get("name").getAsString(), index);
                index += parameters.get("binary_data_size").getAsInt();
            }
        }
    }

    /** The response's JSON ({@code get_response()}). */
    JsonObject json() {
        return result;
    }

    /** The first output named {@code name} ({@code get_output(name)}). */
    JsonObject output(String name) {
        for (JsonElement output : result.getAsJsonArray("outputs")) {
            if (output.getAsJsonObject().get("name").getAsString().equals(name)) {
                return output.getAsJsonObject();
            }
        }
        throw new AssertionError("no output '" + name + "' in " + result);
    }

    /** Whether the output's data came as binary data (its parameters have binary_data_size). */
    boolean binary(String name) {
        JsonObject parameters = output(name).getAsJsonObject("parameters");
        return parameters != null && parameters.has("binary_data_size");
    }

    /** {@code as_numpy(name)} of an FP32 output, flattened. */
    float[] fp32(String name) {
        JsonObject output = output(name, "FP32");
        if (binary(name)) {
            ByteBuffer data = slice(name);
            float[] values = new float[data.remaining() / Float.BYTES];
            data.asFloatBuffer().get(values);
            return values;
        }
        JsonArray data = output.getAsJsonArray("data");
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).getAsFloat();
        }
        return values;
    }

    /** {@code as_numpy(name)} of a BYTES output, flattened, each element as UTF-8 text. */
    List<String> bytes(String name) {
        JsonObject output = output(name, "BYTES");
        List<String> elements = new ArrayList<>();
        if (binary(name)) {
            ByteBuffer data = slice(name);
            while (data.hasRemaining()) {
                byte[] element = new byte[data.getInt()];
                data.get(element);
                elements.add(new String(element, StandardCharsets.UTF_8));
            }
            return elements;
        }
        output.getAsJsonArray("data").forEach(element -> elements.add(element.getAsString()));
        return elements;
    }

    /** {@code as_numpy(name)} of an INT64 output, flattened. */
    long[] int64(String name) {
        JsonObject output = output(name, "INT64");
        if (binary(name)) {
            ByteBuffer data = slice(name);
            long[] values = new long[data.remaining() / Long.BYTES];
            data.asLongBuffer().get(values);
            return values;
        }
        return output.getAsJsonArray("data").asList().stream().mapToLong(JsonElement::getAsLong).toArray();
    }

    /**
     * {@code as_numpy(name)} of a BOOL output, flattened: in binary data a byte of 1 for true and 0 for false, as the
     * extension writes them (numpy would read any other byte as true; here it fails).
     */
    boolean[] bool(String name) {
        JsonObject output = output(name, "BOOL");
        if (binary(name)) {
            ByteBuffer data = slice(name);
            boolean[] values = new boolean[data.remaining()];
            for (int i = 0; i < values.length; i++) {
                byte value = data.get();
                if (value != 0 && value != 1) {
                    throw new AssertionError("output '" + name + "' has the BOOL byte " + value + " at " + i);
                }
                values[i] = value == 1;
            }
            return values;
        }
        JsonArray data = output.getAsJsonArray("data");
        boolean[] values = new boolean[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).getAsBoolean();
        }
        return values;
    }

    /** The bytes of an output that came as binary data, in the protocol's raw layout. */
    byte[] raw(String name) {
        if (!binary(name)) {
            throw new AssertionError("output '" + name + "' did not come as binary data: " + output(name));
        }
        ByteBuffer data = slice(name);
        byte[] raw = new byte[data.remaining()];
        data.get(raw);
        return raw;
    }

    private JsonObject output(String name, String datatype) {
        JsonObject output = output(name);
        if (!output.get("datatype").getAsString().equals(datatype)) {
            throw new AssertionError("output '" + name + "' is " + output.get("datatype") + ", not " + datatype);
        }
        return output;
    }

    /** The output's shape. */
    List<Long> shape(String name) {
        List<Long> shape = new ArrayList<>();
        output(name).getAsJsonArray("shape").forEach(dimension -> shape.add(dimension.getAsLong()));
        return shape;
    }

    private ByteBuffer slice(String name) {
        int size = output(name).getAsJsonObject("parameters").get("binary_data_size").getAsInt();
        if (size == 0) {
            // as_numpy: np.empty(0) without looking in the buffer, which a body of only empty outputs does not have.
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        int start = bufferIndex.get(name);
        return buffer.slice(start, size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
