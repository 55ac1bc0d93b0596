package io.shallowserve.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BinaryTensorDataTest {

    /** A model input as the metadata gives it: a batch of 2 x 2 images. */
    private static final TensorSpec IMAGE = new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 2L, 2L));

    @Test
    void read_binaryInput_isTheLittleEndianFloatsAfterTheJson() throws InferenceException {
        float[] values = {Float.MIN_VALUE, -0f, Float.NaN, Float.POSITIVE_INFINITY, 1f / 3, -123456.79f};
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2,3],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":24}}]}";

        BinaryTensorData.Request request = read(body(json, littleEndian(values)), json.length());

        Tensor input = request.inference().inputs().getFirst();
        assertThat(input.shape()).containsExactly(2, 3);
        assertThat(floatBits(input.floats())).containsExactly(floatBits(values));
        assertThat(request.binaryOutputs()).isEqualTo(BinaryTensorData.BinaryOutputs.NONE);
    }

    @Test
    void read_mixedBinaryAndJsonInputs_takeTheBinaryDataInInputOrder() throws InferenceException {
        String json = "{\"inputs\":[{\"name\":\"a\",\"shape\":[2],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":8}},"
                + "{\"name\":\"b\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[5.5]},"
                + "{\"parameters\":{\"binary_data_size\":4},\"name\":\"c\",\"shape\":[1],\"datatype\":\"FP32\"}]}";

        BinaryTensorData.Request request = read(body(json, littleEndian(1f, 2f, 3f)), json.length());

        assertThat(request.inference().inputs()).extracting(Tensor::name).containsExactly("a", "b", "c");
        assertThat(request.inference().inputs()).extracting(Tensor::floats)
                .containsExactly(new float[] {1f, 2f}, new float[] {5.5f}, new float[] {3f});
    }

    @Test
    void read_headerLengthOfTheWholeBody_isJsonOnly() throws InferenceException {
        // What Triton's C++ client (perf_analyzer's) sends when every input is JSON: the header all the same.
        String json = "{\"id\":\"\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1],\"data\":[0.5]}]}";

        BinaryTensorData.Request request = read(json.getBytes(StandardCharsets.UTF_8), json.length());

        assertThat(request.inference().inputs().getFirst().floats()).containsExactly(0.5f);
    }

    @Test
    void read_badFraming_isInvalidArgumentSayingWhatIsWrong() {
        String json = "{\"inputs\":[{\"name\":\"x\",\"shape\":[2],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":8}}]}";
        byte[] body = body(json, littleEndian(1f, 2f));
        String length = Integer.toString(json.length());
        Map<List<String>, String> headers = Map.of(
                List.of("abc"), "Inference-Header-Content-Length is 'abc'",
                List.of("-1"), "from 0 (a raw binary request, no JSON) to the body's " + body.length + " bytes",
                List.of("99999999999999999999"), "is '99999999999999999999'; it must be the length",
                List.of(Integer.toString(body.length + 1)), "to the body's " + body.length + " bytes",
                List.of("0"), "is the bytes of input 'input' for one image, shape [1, 1, 2, 2] FP32: 16 bytes;"
                        + " this body has " + body.length,
                List.of(length, length), "2 Inference-Header-Content-Length headers",
                List.of(Integer.toString(json.length() - 1)), "not an inference request in JSON");
        headers.forEach((header, message) -> assertInvalid(body, header, message));

        assertInvalid(body(json, littleEndian(1f)), List.of(length),
                "has \"binary_data_size\": 8, but only 4 bytes of binary data are left");
        assertInvalid(body(json, littleEndian(1f, 2f, 3f)), List.of(length),
                "the body has 4 bytes after the binary data of its inputs");
        String wrongSize = json.replace("\"binary_data_size\":8", "\"binary_data_size\":12");
        assertInvalid(body(wrongSize, littleEndian(1f, 2f, 3f)), List.of(Integer.toString(wrongSize.length())),
                "\"binary_data_size\": 12; shape [2] of FP32 needs 8 bytes");
        assertInvalid(body(json, littleEndian(1f, 2f)), List.of(),
                "no Inference-Header-Content-Length header");
    }

    @Test
    void read_rawBinaryRequest_isOneImageOfTheModelsOnlyInputWithBinaryOutputs() throws InferenceException {
        float[] pixels = {0f, 0.25f, 0.5f, 1f};

        BinaryTensorData.Request request = BinaryTensorData.read(littleEndian(pixels), List.of("0"), "m", "v",
                () -> List.of(IMAGE));

        Tensor input = request.inference().inputs().getFirst();
        assertThat(input.name()).isEqualTo("input");
        assertThat(input.shape()).containsExactly(1, 1, 2, 2);
        assertThat(input.floats()).containsExactly(pixels);
        assertThat(request.inference().outputs()).isEmpty();
        assertThat(request.binaryOutputs().binary("logits")).isTrue();
        assertThatThrownBy(() -> BinaryTensorData.read(littleEndian(pixels), List.of("0"), "m", "v",
                () -> List.of(IMAGE, IMAGE))).hasMessageContaining("needs a model with one input; model m has 2");
    }

    @Test
    void write_binaryOutputs_followTheJsonInOutputOrder() {
        InferenceResponse response = new InferenceResponse("m", "1", "", List.of(
                Tensor.ofFloats("logits", new long[] {1, 2}, new float[] {1.5f, Float.NaN}),
                Tensor.ofStrings("classes", new long[] {1, 2}, List.of("0.9:3:Dress", "é"))));

        BinaryTensorData.Response body = BinaryTensorData.write(response,
                new BinaryTensorData.BinaryOutputs(true, Map.of()));

        assertThat(body.hasBinaryData()).isTrue();
        JsonObject json = JsonParser.parseString(new String(body.bytes(), 0, body.jsonLength(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertThat(json.getAsJsonArray("outputs").asList()).extracting(output -> output.getAsJsonObject()
                .getAsJsonObject("parameters").get("binary_data_size").getAsInt()).containsExactly(8, 4 + 11 + 4 + 2);
        ByteBuffer binary = ByteBuffer.wrap(body.bytes(), body.jsonLength(), body.bytes().length - body.jsonLength())
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(binary.getFloat()).isEqualTo(1.5f);
        assertThat(binary.getFloat()).isNaN();
        assertThat(binary.getInt()).isEqualTo(11);
        assertThat(string(binary, 11)).isEqualTo("0.9:3:Dress");
        assertThat(binary.getInt()).isEqualTo(2);
        assertThat(string(binary, 2)).isEqualTo("é");
        assertThat(binary.hasRemaining()).isFalse();
    }

    @Test
    void write_anOutputsOwnSetting_winsOverTheRequests() {
        InferenceResponse response = new InferenceResponse("m", "1", "", List.of(
                Tensor.ofFloats("logits", new long[] {1, 1}, new float[] {2f}),
                Tensor.ofStrings("classes", new long[] {1, 1}, List.of("2.0:0:a"))));

        BinaryTensorData.Response body = BinaryTensorData.write(response,
                new BinaryTensorData.BinaryOutputs(false, Map.of("classes", true)));

        JsonObject json = JsonParser.parseString(new String(body.bytes(), 0, body.jsonLength(), StandardCharsets.UTF_8))
                .getAsJsonObject();
        assertThat(json.getAsJsonArray("outputs").get(0).getAsJsonObject().getAsJsonArray("data").toString())
                .isEqualTo("[2.0]");
        assertThat(body.bytes().length - body.jsonLength()).isEqualTo(4 + 7);
    }

    @Test
    void write_noBinaryOutput_isJsonOnly() {
        InferenceResponse response = new InferenceResponse("m", "1", "", List.of(
                Tensor.ofFloats("logits", new long[] {1, 1}, new float[] {2f})));

        BinaryTensorData.Response body = BinaryTensorData.write(response, BinaryTensorData.BinaryOutputs.NONE);

        assertThat(body.hasBinaryData()).isFalse();
        assertThat(new String(body.bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"model_name\":\"m\","
                + "\"model_version\":\"1\",\"outputs\":[{\"name\":\"logits\",\"datatype\":\"FP32\",\"shape\":[1,1],"
                + "\"data\":[2.0]}]}");
    }

    private static BinaryTensorData.Request read(byte[] body, int jsonLength) throws InferenceException {
        return BinaryTensorData.read(body, List.of(Integer.toString(jsonLength)), "m", "v",
                BinaryTensorDataTest::noInputs);
    }

    /** A request with JSON never asks for the model's inputs. */
    private static List<TensorSpec> noInputs() {
        throw new AssertionError("the model's inputs were asked for a request with JSON");
    }

    private static void assertInvalid(byte[] body, List<String> header, String message) {
        assertThatThrownBy(() -> BinaryTensorData.read(body, header, "m", "v", () -> List.of(IMAGE)))
                .as(header.toString())
                .isInstanceOfSatisfying(InferenceException.class, e -> {
                    assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    private static byte[] body(String json, byte[] binary) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(binary);
        return body.toByteArray();
    }

    private static byte[] littleEndian(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    /** The bits of each float, so that NaN and -0 compare exactly. */
    private static int[] floatBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static String string(ByteBuffer bytes, int length) {
        byte[] utf8 = new byte[length];
        bytes.get(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
