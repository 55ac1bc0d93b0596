package io.shallowserve.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceRequest;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.protocol.EngineCall;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Triton's binary tensor data extension on the REST infer path: how infer request and response bodies are framed.
 * A body is the JSON inference header, then, when the header {@code Inference-Header-Content-Length} gives the
 * JSON's length, the raw bytes of the tensors marked {@code "parameters": {"binary_data_size": N}}, in the order
 * the JSON lists them: little-endian, row-major, and BYTES elements each as a 4-byte little-endian length followed by
 * the bytes. A body without that header is JSON only, as before the extension. A header of 0 makes the body a raw
 * binary request: no JSON, the whole body the bytes of the model's only input, one image (a batch of 1).
 *
 * <p>Outputs come back as binary data when the request's {@code "parameters"} say {@code "binary_data_output": true}
 * or the output's own say {@code "binary_data": true} (the output's own setting wins).
 */
final class BinaryTensorData {

    /** The length of the JSON part of a body with binary tensor data, in bytes. */
    static final HeaderName INFERENCE_HEADER_CONTENT_LENGTH = HeaderNames.create("Inference-Header-Content-Length");

    private BinaryTensorData() {
    }

    /**
     * An infer request read from its body.
     *
     * @param inference     what the engine runs
     * @param binaryOutputs which outputs the client wants back as binary data
     */
    record Request(InferenceRequest inference, BinaryOutputs binaryOutputs) {}

    /**
     * Which outputs go back as binary data.
     *
     * @param byDefault the request's {@code "binary_data_output"} (false when absent)
     * @param byName    the outputs' own {@code "binary_data"}, where given
     */
    record BinaryOutputs(boolean byDefault, Map<String, Boolean> byName) {

        /** Every output as JSON: a request that says nothing about binary data. */
        static final BinaryOutputs NONE = new BinaryOutputs(false, Map.of());

        BinaryOutputs {
            byName = Map.copyOf(byName);
        }

        boolean binary(String output) {
            return byName.getOrDefault(output, byDefault);
        }
    }

    /**
     * An infer response body: the JSON header, {@code jsonLength} bytes, then the outputs' binary data, if any.
     * {@code jsonLength == bytes.length} for a body that is JSON only.
     */
    record Response(byte[] bytes, int jsonLength) {

        boolean hasBinaryData() {
            return jsonLength < bytes.length;
        }
    }

    /**
     * Reads an infer request body.
     *
     * @param inferenceHeaderLength the values of the Inference-Header-Content-Length header (none for a body that
     *                              is JSON only)
     * @param modelInputs           the model's inputs as its metadata gives them, asked for a raw binary request only
     * @throws InferenceException INVALID_ARGUMENT for a header or body that does not add up, saying what is wrong
     */
    static Request read(byte[] body, List<String> inferenceHeaderLength, String model, String version,
            EngineCall<List<TensorSpec>> modelInputs) throws InferenceException {
        if (inferenceHeaderLength.isEmpty()) {
            return JsonCodec.inferenceRequest(json(body, body.length), BinaryInputs.none(), model, version);
        }
        int jsonLength = jsonLength(inferenceHeaderLength, body.length);
        if (jsonLength == 0) {
            return rawRequest(body, modelInputs.run(), model, version);
        }
        BinaryInputs binary = BinaryInputs.after(body, jsonLength);
        Request request = JsonCodec.inferenceRequest(json(body, jsonLength), binary, model, version);
        binary.checkAllTaken();
        return request;
    }

    private static JsonPullReader json(byte[] body, int length) {
        return new JsonPullReader(body, 0, length);
    }

    /**
     * A raw binary request, as Triton takes it: the body is the data of the model's only input, for one image (the
     * batch dimension, -1 in the metadata, is 1); every output comes back as binary data.
     */
    private static Request rawRequest(byte[] body, List<TensorSpec> inputs, String model, String version)
            throws InferenceException {
        if (inputs.size() != 1) {
            throw InferenceException.invalid("a raw binary request (Inference-Header-Content-Length: 0) needs a model"
                    + " with one input; model " + model + " has " + inputs.size() + "; send the JSON inference header");
        }
        TensorSpec input = inputs.getFirst();
        long[] shape = input.shapeOf(1);
        long needed = Tensor.elementCount(shape) * input.datatype().byteSize();
        if (input.datatype() != Datatype.BYTES && body.length != needed) {
            throw InferenceException.invalid("a raw binary request (Inference-Header-Content-Length: 0) is the bytes of"
                    + " input '" + input.name() + "' for one image, shape " + Arrays.toString(shape) + " "
                    + input.datatype() + ": " + needed + " bytes; this body has " + body.length);
        }
        Tensor tensor = BinaryInputs.after(body, 0).take(input.name(), input.datatype(), body.length, shape);
        return new Request(new InferenceRequest(model, version, "", List.of(tensor), List.of(), Long.MAX_VALUE),
                new BinaryOutputs(true, Map.of()));
    }

    /** The header's value checked against the body: a whole number from 0 to the body's length. */
    private static int jsonLength(List<String> values, int bodyLength) throws InferenceException {
        if (values.size() > 1) {
            throw InferenceException.invalid("the request has " + values.size() + " Inference-Header-Content-Length"
                    + " headers; send one, the length of the JSON inference header in bytes");
        }
        String value = values.getFirst().strip();
        long length;
        try {
            length = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw InferenceException.invalid("Inference-Header-Content-Length is '" + value + "'; it must be the"
                    + " length of the JSON inference header in bytes");
        }
        if (length < 0 || length > bodyLength) {
            throw InferenceException.invalid("Inference-Header-Content-Length is " + value + "; it must be the length"
                    + " of the JSON inference header, from 0 (a raw binary request, no JSON) to the body's "
                    + bodyLength + " bytes");
        }
        return (int) length;
    }

    /**
     * Writes an infer response: the outputs {@code binaryOutputs} names as binary data after the JSON, the others in
     * it. As Triton does, a body whose binary outputs have no bytes at all is JSON only.
     */
    static Response write(InferenceResponse response, BinaryOutputs binaryOutputs) {
        List<byte[]> binary = new ArrayList<>(response.outputs().size());
        int binaryLength = 0;
        for (Tensor output : response.outputs()) {
            byte[] bytes = binaryOutputs.binary(output.name()) ? output.raw() : null;
            binary.add(bytes);
            binaryLength += bytes == null ? 0 : bytes.length;
        }
        byte[] json = JsonCodec.inferResponse(response, binary);
        if (binaryLength == 0) {
            return new Response(json, json.length);
        }
        ByteBuffer body = ByteBuffer.allocate(json.length + binaryLength).put(json);
        for (byte[] bytes : binary) {
            if (bytes != null) {
                body.put(bytes);
            }
        }
        return new Response(body.array(), json.length);
    }
}
