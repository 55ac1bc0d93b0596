package io.shallowserve.loadtest.driver;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shallowserve.loadtest.input.ModelInput;
import io.shallowserve.loadtest.input.Tensor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * An Open Inference Protocol server over its REST paths (HTTP/1.1, the JDK's client, keep-alive connections), the
 * tensors in JSON or as Triton's binary tensor data.
 */
public final class HttpTarget implements Target {

    /** The length of the JSON part of a body with binary tensor data (Triton's binary tensor data extension). */
    private static final String INFERENCE_HEADER_CONTENT_LENGTH = "Inference-Header-Content-Length";

    private final HttpClient client;
    private final URI base;
    private final Duration callTimeout;
    private final boolean binaryTensors;

    /**
     * @param callTimeout   the timeout of every request
     * @param binaryTensors send the inputs as binary data and ask for the outputs as binary data, as tritonclient.http
     *                      and perf_analyzer do by default; JSON otherwise
     */
    public HttpTarget(String host, int port, Duration callTimeout, boolean binaryTensors) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(callTimeout)
                .build();
        this.base = URI.create("http://" + host + ":" + port);
        this.callTimeout = callTimeout;
        this.binaryTensors = binaryTensors;
    }

    /** The path of a model's REST resources: {@code /v2/models/{model}[/versions/{version}]}. */
    public static String modelPath(String model, String version) {
        String path = "/v2/models/" + URLEncoder.encode(model, StandardCharsets.UTF_8);
        return version.isEmpty() ? path : path + "/versions/" + URLEncoder.encode(version, StandardCharsets.UTF_8);
    }

    @Override
    public ModelInput input(String model, String version) throws IOException {
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(base.resolve(modelPath(model, version)))
                    .timeout(callTimeout).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("model metadata of " + model + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
        JsonArray inputs = JsonParser.parseString(response.body()).getAsJsonObject().getAsJsonArray("inputs");
        if (inputs == null || inputs.isEmpty()) {
            throw new IOException("model " + model + " declares no inputs");
        }
        JsonObject input = inputs.get(0).getAsJsonObject();
        List<Long> shape = new ArrayList<>();
        for (JsonElement dimension : input.getAsJsonArray("shape")) {
            shape.add(dimension.getAsLong());
        }
        return new ModelInput(input.get("name").getAsString(), input.get("datatype").getAsString(), shape);
    }

    /**
     * {@code POST .../infer}, each tensor as the JSON body {@link Tensor#inferJson()} writes, or as binary tensor data:
     * the JSON {@link Tensor#inferBinaryJson()} writes, then the tensor's {@link Tensor#littleEndianBytes()}, with the
     * headers Triton's C++ client (perf_analyzer's) sends. A binary request's answer must be binary tensor data too.
     */
    @Override
    public Transport infer(String model, String version, List<Tensor> tensors) {
        URI uri = base.resolve(modelPath(model, version) + "/infer");
        List<HttpRequest> prepared = tensors.stream()
                .map(tensor -> binaryTensors ? binaryRequest(uri, tensor) : HttpRequest.newBuilder(uri)
                        .timeout(callTimeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(tensor.inferJson()))
                        .build())
                .toList();
        return (sequence, done) -> send(prepared.get((int) (sequence % prepared.size())), binaryTensors, done);
    }

    private HttpRequest binaryRequest(URI uri, Tensor tensor) {
        byte[] json = tensor.inferBinaryJson().getBytes(StandardCharsets.UTF_8);
        byte[] data = tensor.littleEndianBytes();
        byte[] body = Arrays.copyOf(json, json.length + data.length);
        System.arraycopy(data, 0, body, json.length, data.length);
        return HttpRequest.newBuilder(uri)
                .timeout(callTimeout)
                .header("Content-Type", "application/octet-stream")
                .header(INFERENCE_HEADER_CONTENT_LENGTH, Integer.toString(json.length))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** {@code GET /v2/health/live}. */
    @Override
    public Transport noOp() {
        HttpRequest live = HttpRequest.newBuilder(base.resolve("/v2/health/live")).timeout(callTimeout).GET().build();
        return (sequence, done) -> send(live, false, done);
    }

    /** Sends {@code request}; a 200 is a success, one without binary tensor data too unless {@code binaryAnswer}. */
    private void send(HttpRequest request, boolean binaryAnswer, Transport.Completion done) {
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                done.complete(cause.getClass().getSimpleName());
            } else if (response.statusCode() != 200) {
                done.complete("HTTP " + response.statusCode());
            } else if (binaryAnswer && response.headers().firstValue(INFERENCE_HEADER_CONTENT_LENGTH).isEmpty()) {
                done.complete("answer without binary tensor data");
            } else {
                done.complete(null);
            }
        });
    }

    @Override
    public void close() {
        client.close();
    }
}
