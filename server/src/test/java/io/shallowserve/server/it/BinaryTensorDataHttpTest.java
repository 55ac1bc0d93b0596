package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import io.shallowserve.runtime.data.FashionMnist;
import io.shallowserve.runtime.exec.Logits;
import io.shallowserve.runtime.repository.TestRepository;
import io.shallowserve.server.it.RawHttp.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Triton's binary tensor data extension on the real server, spoken byte for byte as Triton's clients speak it: each
 * request is written on a plain socket exactly as the client's source builds it, and each answer decoded as the
 * client's {@code InferResult} decodes it ({@link TritonInferResult}); the logits must match model.onnx run by ONNX
 * Runtime in-process on the same Fashion-MNIST test images. Then {@link MixedGraph}'s INT64, FP32, BYTES and BOOL
 * tensors as binary data, in and out, each value checked against what the graph computes, computed here. Then bodies
 * that do not add up: each gets a 400 saying what is wrong, and the server serves the next request.
 *
 * <p>Written from triton-inference-server/client at commit 58a44caa0dce77303115302e6dbdf64626b2b093 and the
 * extension's description, triton-inference-server/server at commit e1db8a603d863b1317ee859bdeea2be19959462e,
 * docs/protocol/extension_binary_data.md.
 */
@Timeout(120)
class BinaryTensorDataHttpTest {

    private static final Map<String, Path> MODELS = OnnxReference.newestVersions(RunningServer.MODELS);
    private static final String MODEL = MODELS.keySet().iterator().next();
    private static final String MIXED = "mixed";

    @RegisterExtension
    static final RunningServer SERVER = new RunningServer("--models", repository().toString(), "--plan", "single");

    /** Bytes of one image as binary data: 784 FP32 values. */
    private static final int IMAGE_BYTES = FashionMnist.PIXELS * Float.BYTES;
    /** Over the 64 KiB that the server parses on the request's own thread: this body is parsed on a worker. */
    private static final int MANY = 32;
    private static final float[] IMAGES = FashionMnist.testImages(MANY);

    // ------------------------------------------------------------------ tritonclient.http (Python), byte for byte

    /**
     * What tritonclient.http's {@code InferenceServerClient("127.0.0.1:<port>").infer(...)} writes on its socket.
     * src/python/library/tritonclient/http/_client.py {@code infer}: the body from {@code _get_inference_request}
     * (_utils.py: {@code rapidjson.dumps} of {"id"?, "inputs", "outputs"?, "parameters"?}, compact, then each binary
     * input's bytes in input order), and the header {@code Inference-Header-Content-Length: len(request_json)} only
     * when some input is binary. The request line and other headers are geventhttpclient's
     * (geventhttpclient/geventhttpclient at 231947d955c15e414454621c905b0211a604d235, version 2.3.8,
     * src/geventhttpclient/client.py {@code _build_request}): its default User-Agent first, then the caller's headers,
     * then Host and Content-Length.
     *
     * @param binary the binary inputs' bytes, or null when every input is in the JSON
     */
    private static byte[] pythonClientRequest(String path, String json, byte[] binary) {
        byte[] jsonBytes = json.getBytes(StandardCharsets.UTF_8);
        int length = jsonBytes.length + (binary == null ? 0 : binary.length);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST " + path + " HTTP/1.1\r\n"
                + "User-Agent: python/gevent-http-client-2.3.8\r\n"
                + (binary == null ? "" : "Inference-Header-Content-Length: " + json.length() + "\r\n")
                + "Host: 127.0.0.1:" + SERVER.server().port() + "\r\n"
                + "Content-Length: " + length + "\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(jsonBytes);
        if (binary != null) {
            request.writeBytes(binary);
        }
        return request.toByteArray();
    }

    /**
     * {@code InferInput("input", [n, 1, 28, 28], "FP32").set_data_from_numpy(images)} (_infer_input.py: binary by
     * default; {@code _get_tensor} writes name, shape, datatype, parameters; the data is {@code images.tobytes()}).
     */
    private static String pythonBinaryInput(int images) {
        return "{\"name\":\"input\",\"shape\":[" + images + ",1,28,28],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + images * IMAGE_BYTES + "}}";
    }

    @Test
    void pythonClient_oneImageNoOutputsNamed_answersBinaryLogitsEqualToOnnxRuntime() {
        for (Map.Entry<String, Path> model : MODELS.entrySet()) {
            float[] image = FashionMnist.image(IMAGES, 0);
            // client.infer(model, [input]): no outputs, so _get_inference_request asks for every output as binary.
            String json = "{\"inputs\":[" + pythonBinaryInput(1) + "],\"parameters\":{\"binary_data_output\":true}}";

            Response response = send(pythonClientRequest("/v2/models/" + model.getKey() + "/infer", json,
                    littleEndian(image)));

            assertBinaryResponse(response);
            TritonInferResult result = new TritonInferResult(response);
            assertThat(result.json().get("model_name").getAsString()).isEqualTo(model.getKey());
            assertThat(result.shape(Requests.OUTPUT)).containsExactly(1L, 10L);
            assertThat(result.output(Requests.OUTPUT).has("data")).isFalse();
            assertLogits(model.getValue(), image, 1, result.fp32(Requests.OUTPUT));
        }
    }

    @Test
    void pythonClient_manyImagesBinaryOutputNamed_answersBinaryLogits() {
        // client.infer(MODEL, [input], model_version="1", outputs=[InferRequestedOutput("logits")], request_id="7"):
        // _requested_output.py sets "binary_data": True by default.
        String version = MODELS.get(MODEL).getFileName().toString();
        String json = "{\"id\":\"7\",\"inputs\":[" + pythonBinaryInput(MANY) + "],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}";

        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/versions/" + version + "/infer",
                json, littleEndian(IMAGES)));

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.json().get("id").getAsString()).isEqualTo("7");
        assertThat(result.json().get("model_version").getAsString()).isEqualTo(version);
        assertThat(result.shape(Requests.OUTPUT)).containsExactly((long) MANY, 10L);
        assertLogits(MODELS.get(MODEL), IMAGES, MANY, result.fp32(Requests.OUTPUT));
    }

    @Test
    void pythonClient_jsonOutputNamed_answersJsonOnlyWithTheSameLogits() {
        float[] images = Arrays.copyOf(IMAGES, 8 * FashionMnist.PIXELS);
        // outputs=[InferRequestedOutput("logits", binary_data=False)]
        String json = "{\"inputs\":[" + pythonBinaryInput(8) + "],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":false}}]}";

        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json, littleEndian(images)));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.header("Inference-Header-Content-Length")).isNull();
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.binary(Requests.OUTPUT)).isFalse();
        float[] logits = result.fp32(Requests.OUTPUT);
        assertLogits(MODELS.get(MODEL), images, 8, logits);
        // The JSON numbers round-trip: the same floats as the binary answer to the same images.
        String binaryJson = json.replace("\"binary_data\":false", "\"binary_data\":true");
        assertThat(new TritonInferResult(send(pythonClientRequest("/v2/models/" + MODEL + "/infer", binaryJson,
                littleEndian(images)))).fp32(Requests.OUTPUT)).containsExactly(logits);
    }

    @Test
    void pythonClient_classificationAsBinary_answersLengthPrefixedTopClasses() {
        float[] images = Arrays.copyOf(IMAGES, 8 * FashionMnist.PIXELS);
        // outputs=[InferRequestedOutput("logits", class_count=3)]: "classification" first, then "binary_data".
        String json = "{\"inputs\":[" + pythonBinaryInput(8) + "],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"classification\":3,\"binary_data\":true}}]}";

        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json, littleEndian(images)));

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.output(Requests.OUTPUT).get("datatype").getAsString()).isEqualTo("BYTES");
        assertThat(result.shape(Requests.OUTPUT)).containsExactly(8L, 3L);
        assertTopClasses(images, 8, 3, result.bytes(Requests.OUTPUT));
    }

    @Test
    void pythonClient_classificationAsJson_answersTheSameTopClassesAsStrings() {
        float[] images = Arrays.copyOf(IMAGES, 8 * FashionMnist.PIXELS);
        // outputs=[InferRequestedOutput("logits", binary_data=False, class_count=3)]
        String json = "{\"inputs\":[" + pythonBinaryInput(8) + "],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"classification\":3,\"binary_data\":false}}]}";

        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json, littleEndian(images)));

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Inference-Header-Content-Length")).isNull();
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.binary(Requests.OUTPUT)).isFalse();
        assertTopClasses(images, 8, 3, result.bytes(Requests.OUTPUT));
    }

    @Test
    void pythonClient_jsonInputBinaryOutputs_answersBinaryLogits() {
        float[] images = Arrays.copyOf(IMAGES, 2 * FashionMnist.PIXELS);
        // input.set_data_from_numpy(images, binary_data=False): "data" is [v.item() for v in images.flatten()], the
        // float32 values as Python floats, which rapidjson writes in their shortest round-trip form, as Java's
        // Double.toString does for these (0.0 and 1.0 included). Every input is JSON, so no
        // Inference-Header-Content-Length; still no outputs named, so "binary_data_output": true.
        String data = IntStream.range(0, images.length).mapToObj(i -> Double.toString(images[i]))
                .collect(Collectors.joining(","));
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,1,28,28],\"datatype\":\"FP32\",\"data\":[" + data
                + "]}],\"parameters\":{\"binary_data_output\":true}}";

        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json, null));

        assertBinaryResponse(response);
        assertLogits(MODELS.get(MODEL), images, 2, new TritonInferResult(response).fp32(Requests.OUTPUT));
    }

    // ------------------------------------------------------------ Triton's C++ client (perf_analyzer's), its body

    /**
     * What Triton's C++ HTTP client, which perf_analyzer uses, sends for one binary input and no outputs named:
     * src/c++/library/http_client.cc, {@code PrepareRequestJson} writes "id" (empty), "parameters" (with
     * "binary_data_output": true when no outputs are named), then "inputs" as name, datatype, shape, parameters;
     * the request carries {@code Inference-Header-Content-Length}, an empty {@code Expect:} (so none is sent) and
     * {@code Content-Type: application/octet-stream} when an input is binary. libcurl adds Host, Accept and
     * Content-Length.
     */
    @Test
    void cppClient_oneBinaryImage_answersBinaryLogitsEqualToOnnxRuntime() {
        float[] image = FashionMnist.image(IMAGES, 3);
        String json = "{\"id\":\"\",\"parameters\":{\"binary_data_output\":true},\"inputs\":[{\"name\":\"input\","
                + "\"datatype\":\"FP32\",\"shape\":[1,1,28,28],\"parameters\":{\"binary_data_size\":" + IMAGE_BYTES
                + "}}]}";
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + SERVER.server().port() + "\r\n"
                + "Accept: */*\r\n"
                + "Inference-Header-Content-Length: " + json.length() + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + (json.length() + IMAGE_BYTES) + "\r\n"
                + "\r\n" + json).getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(littleEndian(image));

        Response response = send(request.toByteArray());

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.json().has("id")).as("an empty id is not echoed").isFalse();
        assertLogits(MODELS.get(MODEL), image, 1, result.fp32(Requests.OUTPUT));
    }

    /**
     * The extension's raw binary request (extension_binary_data.md, "Raw Binary Request"):
     * Inference-Header-Content-Length 0, the body only the model's one input for a batch of 1, every output answered
     * as binary data.
     */
    @Test
    void rawBinaryRequest_oneImage_answersBinaryLogitsEqualToOnnxRuntime() {
        float[] image = FashionMnist.image(IMAGES, 5);
        String request = "POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/octet-stream\r\nInference-Header-Content-Length: 0\r\n"
                + "Content-Length: " + IMAGE_BYTES + "\r\n\r\n";

        Response response = send(concat(request.getBytes(StandardCharsets.ISO_8859_1), littleEndian(image)));

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.shape(Requests.OUTPUT)).containsExactly(1L, 10L);
        assertLogits(MODELS.get(MODEL), image, 1, result.fp32(Requests.OUTPUT));
    }

    // ----------------------------------------------------- MixedGraph: INT64, FP32, BYTES and BOOL as binary data

    /** MixedGraph's inputs for three rows; 2^53 + 1 is no double and no float, kept must carry it exactly. */
    private static final long[] A = {3, -7, (1L << 53) + 1, 0, Long.MIN_VALUE, 40};
    private static final float[] B = {-4f, 8f, 0.5f, -0.25f, 1.5f, -40f};
    /** Two- and four-byte UTF-8, and an empty element. */
    private static final List<String> S = List.of("ok", "\u00e9\uD83D\uDE00", "");
    private static final boolean[] M = {false, true, true, true, false, true};

    /**
     * The extension's own example (extension_binary_data.md, "Examples") with MixedGraph's tensors: its JSON as the
     * example writes it (indented, "model_name" inside, Content-Type application/octet-stream), every input as binary
     * data in the order the JSON lists them, and every output asked for as binary data, in an order of the client's.
     */
    @Test
    void protocolExample_int64BytesBoolInputsAsBinary_answersEveryOutputAsBinaryInTheOrderAsked() {
        List<byte[]> binary = List.of(int64Bytes(A), littleEndian(B), bytesElements(S), boolBytes(M));
        byte[] json = """
                {
                  "model_name" : "mixed",
                  "inputs" : [
                    { "name" : "a", "shape" : [ 3, 2 ], "datatype" : "INT64",
                      "parameters" : { "binary_data_size" : %d } },
                    { "name" : "b", "shape" : [ 3, 2 ], "datatype" : "FP32",
                      "parameters" : { "binary_data_size" : %d } },
                    { "name" : "s", "shape" : [ 3, 1 ], "datatype" : "BYTES",
                      "parameters" : { "binary_data_size" : %d } },
                    { "name" : "m", "shape" : [ 3, 2 ], "datatype" : "BOOL",
                      "parameters" : { "binary_data_size" : %d } }
                  ],
                  "outputs" : [
                    { "name" : "kept", "parameters" : { "binary_data" : true } },
                    { "name" : "same", "parameters" : { "binary_data" : true } },
                    { "name" : "positive", "parameters" : { "binary_data" : true } },
                    { "name" : "sum", "parameters" : { "binary_data" : true } }
                  ]
                }
                """.formatted(binary.stream().map(data -> data.length).toArray()).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("POST /v2/models/" + MIXED + "/infer HTTP/1.1\r\n"
                + "Host: localhost:8000\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Inference-Header-Content-Length: " + json.length + "\r\n"
                + "Content-Length: " + (json.length + binary.stream().mapToInt(data -> data.length).sum()) + "\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        request.writeBytes(json);
        binary.forEach(request::writeBytes);

        Response response = send(request.toByteArray());

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.json().getAsJsonArray("outputs").asList()).extracting(
                output -> output.getAsJsonObject().get("name").getAsString())
                .containsExactly("kept", "same", "positive", "sum");
        // 6 INT64, 3 BYTES elements of 4 + 2, 4 + 6 and 4 + 0 bytes, 6 BOOL, 6 FP32.
        int jsonLength = Integer.parseInt(response.header("Inference-Header-Content-Length"));
        assertThat(response.bytes().length - jsonLength).isEqualTo(48 + 20 + 6 + 24);
        assertMixedOutputs(result);
    }

    /**
     * What tritonclient.http sends for MixedGraph when the FP32 input is set with {@code binary_data=False} (its
     * values in "data", as Python floats) and the others as binary data, asking for sum and same as binary data and
     * kept and positive as JSON ({@code InferRequestedOutput(name, binary_data=False)}).
     */
    @Test
    void pythonClient_binaryAndJsonTensorsMixed_answersEachOutputAsAsked() {
        byte[] a = int64Bytes(A);
        byte[] s = bytesElements(S);
        byte[] m = boolBytes(M);
        String json = "{\"inputs\":["
                + "{\"name\":\"a\",\"shape\":[3,2],\"datatype\":\"INT64\",\"parameters\":{\"binary_data_size\":"
                + a.length + "}},"
                + "{\"name\":\"b\",\"shape\":[3,2],\"datatype\":\"FP32\",\"data\":[-4.0,8.0,0.5,-0.25,1.5,-40.0]},"
                + "{\"name\":\"s\",\"shape\":[3,1],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":"
                + s.length + "}},"
                + "{\"name\":\"m\",\"shape\":[3,2],\"datatype\":\"BOOL\",\"parameters\":{\"binary_data_size\":"
                + m.length + "}}],"
                + "\"outputs\":[{\"name\":\"sum\",\"parameters\":{\"binary_data\":true}},"
                + "{\"name\":\"kept\",\"parameters\":{\"binary_data\":false}},"
                + "{\"name\":\"positive\",\"parameters\":{\"binary_data\":false}},"
                + "{\"name\":\"same\",\"parameters\":{\"binary_data\":true}}]}";

        Response response = send(pythonClientRequest("/v2/models/" + MIXED + "/infer", json,
                concat(concat(a, s), m)));

        assertBinaryResponse(response);
        TritonInferResult result = new TritonInferResult(response);
        assertThat(result.binary("sum")).isTrue();
        assertThat(result.binary("same")).isTrue();
        assertThat(result.binary("kept")).isFalse();
        assertThat(result.binary("positive")).isFalse();
        assertMixedOutputs(result);
    }

    @Test
    void infer_binaryBytesNotUtf8_is400AndTheServerServesOn() {
        byte[] s = concat(bytesElements(List.of("ok")), new byte[] {1, 0, 0, 0, (byte) 0xFF});
        String json = "{\"inputs\":["
                + "{\"name\":\"a\",\"shape\":[2,2],\"datatype\":\"INT64\",\"data\":[1,2,3,4]},"
                + "{\"name\":\"b\",\"shape\":[2,2],\"datatype\":\"FP32\",\"data\":[0.0,0.0,0.0,0.0]},"
                + "{\"name\":\"s\",\"shape\":[2],\"datatype\":\"BYTES\",\"parameters\":{\"binary_data_size\":"
                + s.length + "}},"
                + "{\"name\":\"m\",\"shape\":[2,2],\"datatype\":\"BOOL\",\"data\":[true,true,true,true]}]}";

        assertError(send(pythonClientRequest("/v2/models/" + MIXED + "/infer", json, s)),
                "input 's' element 1 is not UTF-8 text");
        assertStillServing();
    }

    /**
     * MixedGraph's outputs for A, B, S and M, computed here: sum = float(a) + b, positive = sum &gt; 0, same = s, kept
     * = a where m, else 0.
     */
    private static void assertMixedOutputs(TritonInferResult result) {
        float[] sum = new float[A.length];
        boolean[] positive = new boolean[A.length];
        long[] kept = new long[A.length];
        for (int i = 0; i < A.length; i++) {
            sum[i] = (float) A[i] + B[i];
            positive[i] = sum[i] > 0;
            kept[i] = M[i] ? A[i] : 0;
        }
        for (String output : List.of("sum", "positive", "kept")) {
            assertThat(result.shape(output)).as(output).containsExactly(3L, 2L);
        }
        assertThat(result.shape("same")).as("[-1] in the graph, [-1, 1] to clients").containsExactly(3L, 1L);
        assertThat(result.fp32("sum")).containsExactly(sum);
        assertThat(result.bool("positive")).containsExactly(positive);
        assertThat(result.bytes("same")).containsExactlyElementsOf(S);
        assertThat(result.int64("kept")).containsExactly(kept);
    }

    // ------------------------------------------------------------------------------- bodies that do not add up

    @Test
    void infer_binaryDataSizesNotAddingUp_are400AndTheServerServesOn() {
        float[] images = Arrays.copyOf(IMAGES, 2 * FashionMnist.PIXELS);
        String path = "/v2/models/" + MODEL + "/infer";
        String two = "{\"inputs\":[" + pythonBinaryInput(2) + "]}";
        String wrongSize = two.replace("\"binary_data_size\":" + 2 * IMAGE_BYTES, "\"binary_data_size\":100");

        assertError(send(pythonClientRequest(path, two, Arrays.copyOf(littleEndian(images), IMAGE_BYTES))),
                "only " + IMAGE_BYTES + " bytes of binary data are left");
        assertError(send(pythonClientRequest(path, two, Arrays.copyOf(littleEndian(images), 3 * IMAGE_BYTES))),
                "the body has " + IMAGE_BYTES + " bytes after the binary data of its inputs");
        assertError(send(pythonClientRequest(path, wrongSize, littleEndian(images))),
                "\"binary_data_size\": 100; shape [2, 1, 28, 28] of FP32 needs " + 2 * IMAGE_BYTES + " bytes");
        assertStillServing();
    }

    @Test
    void infer_binaryDataSizeAndDataBoth_is400() {
        String json = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,1,28,28],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + IMAGE_BYTES + "},\"data\":"
                + Arrays.toString(new float[FashionMnist.PIXELS]) + "}]}";

        assertError(send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json,
                littleEndian(new float[FashionMnist.PIXELS]))), "has both \"data\" and \"binary_data_size\"");
        assertStillServing();
    }

    @Test
    void infer_badInferenceHeaderContentLength_is400() {
        byte[] image = littleEndian(FashionMnist.image(IMAGES, 0));
        String json = "{\"inputs\":[" + pythonBinaryInput(1) + "]}";
        int body = json.length() + IMAGE_BYTES;
        Map<String, String> lengths = Map.of(
                Integer.toString(body + 1), "to the body's " + body + " bytes",
                "-5", "from 0 (a raw binary request, no JSON) to the body's " + body + " bytes",
                "99999999999999999999999", "it must be the length of the JSON inference header",
                "12abc", "Inference-Header-Content-Length is '12abc'",
                Integer.toString(json.length() - 2), "not an inference request in JSON",
                "0", "a raw binary request (Inference-Header-Content-Length: 0) is the bytes of input 'input' for one"
                        + " image, shape [1, 1, 28, 28] FP32: " + IMAGE_BYTES + " bytes; this body has " + body);
        lengths.forEach((length, message) -> {
            String request = "POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Inference-Header-Content-Length: " + length + "\r\nContent-Length: " + body + "\r\n\r\n" + json;
            assertError(send(concat(request.getBytes(StandardCharsets.ISO_8859_1), image)), message);
        });
        assertStillServing();
    }

    @Test
    void infer_binaryInputWithoutTheHeader_is400() {
        String json = "{\"inputs\":[" + pythonBinaryInput(1) + "]}";
        String request = "POST /v2/models/" + MODEL + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
                + (json.length() + IMAGE_BYTES) + "\r\n\r\n" + json;

        assertError(send(concat(request.getBytes(StandardCharsets.ISO_8859_1),
                littleEndian(FashionMnist.image(IMAGES, 0)))), "no Inference-Header-Content-Length header");
        assertStillServing();
    }

    @Test
    void infer_binaryAndJsonInputsMixed_areBothReadThenCheckedAgainstTheModel() {
        // The models have one input: a second one, in JSON after a binary one, is read from its place and then
        // refused by name, not by the framing.
        String json = "{\"inputs\":[" + pythonBinaryInput(1) + ",{\"name\":\"extra\",\"shape\":[1],"
                + "\"datatype\":\"FP32\",\"data\":[1.0]}]}";

        assertError(send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json,
                littleEndian(FashionMnist.image(IMAGES, 0)))), "extra");
        assertStillServing();
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static Response send(byte[] request) {
        try (RawHttp connection = RawHttp.connect(SERVER.server().port())) {
            return connection.send(request).read();
        }
    }

    /** A 200 with binary data, as Triton answers one: octet-stream, the JSON's length in its own header. */
    private static void assertBinaryResponse(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/octet-stream");
        int jsonLength = Integer.parseInt(response.header("Inference-Header-Content-Length"));
        assertThat(jsonLength).isLessThan(response.bytes().length);
    }

    private static void assertLogits(Path version, float[] images, int batch, float[] logits) {
        float[] expected = OnnxReference.logits(version, images, batch);
        assertThat(Logits.maxDifference(expected, logits)).isLessThanOrEqualTo(1e-5f);
    }

    /** Per image the top k as "score:index:label", in ONNX Runtime's order, scores within 1e-5 of its logits. */
    private static void assertTopClasses(float[] images, int batch, int k, List<String> classes) {
        float[] expected = OnnxReference.logits(MODELS.get(MODEL), images, batch);
        List<String> labels = JsonParser.parseString(SERVER.get("/v2/models/" + MODEL).body()).getAsJsonObject()
                .getAsJsonObject("parameters").getAsJsonArray("labels").asList().stream()
                .map(label -> label.getAsString()).toList();
        assertThat(classes).hasSize(batch * k);
        for (int image = 0; image < batch; image++) {
            int row = image * 10;
            List<Integer> order = IntStream.range(0, 10).boxed()
                    .sorted((a, b) -> Float.compare(expected[row + b], expected[row + a])).toList();
            for (int rank = 0; rank < k; rank++) {
                String[] parts = classes.get(image * k + rank).split(":", 3);
                int index = order.get(rank);
                assertThat(Integer.parseInt(parts[1])).as("image %d rank %d", image, rank).isEqualTo(index);
                assertThat(Float.parseFloat(parts[0])).isCloseTo(expected[row + index],
                        Offset.offset(1e-5f));
                assertThat(parts[2]).isEqualTo(labels.get(index));
            }
        }
    }

    private static void assertError(Response response, String messagePart) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(JsonParser.parseString(response.body()).getAsJsonObject().get("error").getAsString())
                .contains(messagePart);
    }

    private static void assertStillServing() {
        String json = "{\"inputs\":[" + pythonBinaryInput(1) + "],\"parameters\":{\"binary_data_output\":true}}";
        float[] image = FashionMnist.image(IMAGES, 1);
        Response response = send(pythonClientRequest("/v2/models/" + MODEL + "/infer", json, littleEndian(image)));
        assertBinaryResponse(response);
        assertLogits(MODELS.get(MODEL), image, 1, new TritonInferResult(response).fp32(Requests.OUTPUT));
    }

    /** numpy's {@code tobytes()} of a float32 array on a little-endian machine. */
    private static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    /** numpy's {@code tobytes()} of an int64 array on a little-endian machine. */
    private static byte[] int64Bytes(long[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return bytes.array();
    }

    /** BOOL as binary data: a byte of 1 for true, 0 for false. */
    private static byte[] boolBytes(boolean[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) (values[i] ? 1 : 0);
        }
        return bytes;
    }

    /**
     * BYTES as binary data (tritonclient's serialize_byte_tensor): each element's 4-byte little-endian length, then
     * its UTF-8.
     */
    private static byte[] bytesElements(List<String> values) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String value : values) {
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes.writeBytes(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length)
                    .array());
            bytes.writeBytes(utf8);
        }
        return bytes.toByteArray();
    }

    /** The committed models under their own names and newest versions, and MixedGraph beside them. */
    private static Path repository() {
        try {
            Path root = TestRepository.emptyFolder(BinaryTensorDataHttpTest.class.getSimpleName());
            for (Map.Entry<String, Path> model : MODELS.entrySet()) {
                TestRepository.copy(model.getKey(), root, Integer.parseInt(model.getValue().getFileName().toString()));
            }
            MixedGraph.write(root, MIXED);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
