package io.shallowserve.server.it;

import com.google.gson.JsonObject;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc;
import io.shallowserve.proto.inference.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.shallowserve.server.InferenceServer;
import io.shallowserve.server.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real server, started through {@link Main} on free ports with the committed models, for one test class; with
 * a grpc-java client (Netty, plaintext HTTP/2) and a {@link HttpClient} (HTTP/1.1) pointed at it.
 */
final class RunningServer implements BeforeAllCallback, AfterAllCallback {

    /** The committed default models; the module's tests run in server/. */
    static final Path MODELS = Path.of(System.getProperty("shallowserve.test.models", "../models"));

    private final List<String> args;
    private InferenceServer server;
    private ManagedChannel channel;
    private HttpClient http;

    /** @param flags command-line flags on top of "--port 0 --grpc-port 0 --models ../models" */
    RunningServer(String... flags) {
        args = new ArrayList<>(List.of("--port", "0", "--grpc-port", "0", "--models", MODELS.toString()));
        args.addAll(List.of(flags));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!Files.isDirectory(MODELS)) {
            throw new IllegalStateException("no model repository at " + MODELS.toAbsolutePath()
                    + "; the integration tests serve the committed default models");
        }
        server = Main.start(Main.config(args.toArray(String[]::new)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
                .usePlaintext()
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Nothing is open when the server failed to start: that failure is the test's, not a second one here.
        if (server == null) {
            return;
        }
        channel.shutdownNow();
        http.close();
        server.shutdown();
    }

    InferenceServer server() {
        return server;
    }

    ManagedChannel channel() {
        return channel;
    }

    GRPCInferenceServiceBlockingStub grpc() {
        return GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** Triton's load request over HTTP with a model configuration: {"parameters": {"config": "<config>"}}. */
    HttpResponse<String> loadWithConfig(String model, String config) {
        JsonObject body = new JsonObject();
        JsonObject parameters = new JsonObject();
        parameters.addProperty("config", config);
        body.add("parameters", parameters);
        return post("/v2/repository/models/" + model + "/load", body.toString());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
