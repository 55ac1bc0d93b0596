package io.shallowserve.loadtest;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A model's cumulative counts from the server's statistics endpoint, {@code GET /v2/models/{model}/stats} (Triton's
 * format), summed over the model's versions.
 *
 * @param inferences images inferred (a batch of 8 counts 8)
 * @param executions executions of the model (a batch of 8 counts 1)
 */
record InferenceCounts(long inferences, long executions) {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    static InferenceCounts fetch(HttpClient client, String host, int port, String model) {
        URI uri = URI.create("http://" + host + ":" + port + "/v2/models/"
                + URLEncoder.encode(model, StandardCharsets.UTF_8) + "/stats");
        HttpResponse<String> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + uri, e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + ": HTTP " + response.statusCode() + " " + response.body());
        }
        long inferences = 0;
        long executions = 0;
        for (JsonElement version : JsonParser.parseString(response.body()).getAsJsonObject()
                .getAsJsonArray("model_stats")) {
            JsonObject stats = version.getAsJsonObject();
            inferences += stats.get("inference_count").getAsLong();
            executions += stats.get("execution_count").getAsLong();
        }
        return new InferenceCounts(inferences, executions);
    }

    /** Images per execution from {@code before} to these counts: the mean batch the server formed; NaN if none. */
    double meanBatchSizeSince(InferenceCounts before) {
        long executed = executions - before.executions;
        return executed == 0 ? Double.NaN : (double) (inferences - before.inferences) / executed;
    }
}
