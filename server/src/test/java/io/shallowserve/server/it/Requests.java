package io.shallowserve.server.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import io.shallowserve.proto.inference.InferParameter;
import io.shallowserve.proto.inference.InferTensorContents;
import io.shallowserve.proto.inference.ModelInferRequest;
import io.shallowserve.proto.inference.ModelInferRequest.InferInputTensor;
import io.shallowserve.proto.inference.ModelInferRequest.InferRequestedOutputTensor;
import io.shallowserve.proto.inference.ModelInferResponse;
import io.shallowserve.runtime.data.FashionMnist;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Inference requests as clients build them, and their answers decoded, for both protocols. */
final class Requests {

    static final String INPUT = "input";
    static final String OUTPUT = "logits";

    private Requests() {
    }

    /** A gRPC request with the images in raw_input_contents, as Triton's clients send them. */
    static ModelInferRequest raw(String model, float[] images) {
        ByteBuffer bytes = ByteBuffer.allocate(images.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(images);
        return ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(input(images.length / FashionMnist.PIXELS))
                .addRawInputContents(ByteString.copyFrom(bytes.array()))
                .build();
    }

    /** A gRPC request with the images in contents.fp32_contents. */
    static ModelInferRequest typed(String model, float[] images) {
        InferTensorContents.Builder contents = InferTensorContents.newBuilder();
        for (float value : images) {
            contents.addFp32Contents(value);
        }
        return ModelInferRequest.newBuilder()
                .setModelName(model)
                .addInputs(input(images.length / FashionMnist.PIXELS).setContents(contents))
                .build();
    }

    /** The input tensor header for {@code batch} images. */
    static InferInputTensor.Builder input(long batch) {
        return InferInputTensor.newBuilder()
                .setName(INPUT)
                .setDatatype("FP32")
                .addShape(batch).addShape(1).addShape(28).addShape(28);
    }

    /** Asks for the top {@code k} classes of the logits output instead of the logits. */
    static InferRequestedOutputTensor classification(int k) {
        return InferRequestedOutputTensor.newBuilder()
                .setName(OUTPUT)
                .putParameters("classification", InferParameter.newBuilder().setInt64Param(k).build())
                .build();
    }

    /** The FP32 data of the first output, from raw_output_contents (the server answers in no other form). */
    static float[] logits(ModelInferResponse response) {
        ByteBuffer bytes = response.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    /** An HTTP infer body with flat data. */
    static String json(float[] images) {
        return "{\"inputs\":[{\"name\":\"" + INPUT + "\",\"shape\":[" + images.length / FashionMnist.PIXELS
                + ",1,28,28],\"datatype\":\"FP32\",\"data\":" + Arrays.toString(images) + "}]}";
    }

    /** An HTTP infer body with the data nested as the shape, [n][1][28][28]. */
    static String nestedJson(float[] images) {
        StringBuilder data = new StringBuilder("[");
        for (int image = 0; image < images.length / FashionMnist.PIXELS; image++) {
            data.append(image == 0 ? "[[" : ",[[");
            for (int row = 0; row < 28; row++) {
                int from = image * FashionMnist.PIXELS + row * 28;
                data.append(row == 0 ? "" : ",").append(Arrays.toString(Arrays.copyOfRange(images, from, from + 28)));
            }
            data.append("]]");
        }
        data.append("]");
        return "{\"inputs\":[{\"name\":\"" + INPUT + "\",\"shape\":[" + images.length / FashionMnist.PIXELS
                + ",1,28,28],\"datatype\":\"FP32\",\"data\":" + data + "}]}";
    }

    /** The "data" of the first output of an HTTP infer response, as floats. */
    static float[] logits(String json) {
        JsonArray data = JsonParser.parseString(json).getAsJsonObject()
                .getAsJsonArray("outputs").get(0).getAsJsonObject().getAsJsonArray("data");
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.get(i).getAsFloat();
        }
        return values;
    }
}
