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
import java.util.List;
import java.util.concurrent.CompletionException;

/** An Open Inference Protocol server over its REST paths (HTTP/1.1, the JDK's client, keep-alive connections). */
public final class HttpTarget implements Target {

    private final HttpClient client;
    private final URI base;
    private final Duration callTimeout;

    /** @param callTimeout the timeout of every request */
    public HttpTarget(String host, int port, Duration callTimeout) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(callTimeout)
                .build();
        this.base = URI.create("http://" + host + ":" + port);
        this.callTimeout = callTimeout;
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

    /** {@code POST .../infer}, each tensor as the JSON body {@link Tensor#inferJson()} writes. */
    @Override
    public Transport infer(String model, String version, List<Tensor> tensors) {
        URI uri = base.resolve(modelPath(model, version) + "/infer");
        List<HttpRequest> prepared = tensors.stream()
                .map(tensor -> HttpRequest.newBuilder(uri)
                        .timeout(callTimeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(tensor.inferJson()))
                        .build())
                .toList();
        return (sequence, done) -> send(prepared.get((int) (sequence % prepared.size())), done);
    }

    /** {@code GET /v2/health/live}. */
    @Override
    public Transport noOp() {
        HttpRequest live = HttpRequest.newBuilder(base.resolve("/v2/health/live")).timeout(callTimeout).GET().build();
        return (sequence, done) -> send(live, done);
    }

    private void send(HttpRequest request, Transport.Completion done) {
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                done.complete(cause.getClass().getSimpleName());
            } else {
                done.complete(response.statusCode() == 200 ? null : "HTTP " + response.statusCode());
            }
        });
    }

    @Override
    public void close() {
        client.close();
    }
}
