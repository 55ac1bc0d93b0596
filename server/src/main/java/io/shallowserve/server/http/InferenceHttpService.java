package io.shallowserve.server.http;

import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.inference.InferenceException;
import io.shallowserve.server.inference.InferenceResponse;
import io.shallowserve.server.inference.ModelLoader;
import io.shallowserve.server.inference.RequestRouter;
import io.shallowserve.server.observe.FailureLog;
import io.shallowserve.server.observe.RequestMetrics;
import io.shallowserve.server.protocol.ConfigOverride;
import io.shallowserve.server.protocol.EngineCall;
import io.shallowserve.server.protocol.ModelConfiguration;
import io.shallowserve.server.protocol.ServerMetadata;
import io.shallowserve.server.repository.ServedTensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The Open Inference Protocol's REST API, registered under {@code /v2}: health, server and model metadata, model
 * readiness, inference, and Triton's model configuration, statistics and model repository (index, load, unload)
 * paths. Every model path also comes with {@code /versions/{version}}; without it the newest ready version
 * answers. Inference takes and gives tensors in JSON or as Triton's binary tensor data ({@link BinaryTensorData}).
 *
 * <p>Helidon runs each handler on a virtual thread of its own; inference runs on the model instances' threads
 * and the handler only waits for it.
 */
public final class InferenceHttpService implements HttpService {

    private static final System.Logger LOG = System.getLogger(InferenceHttpService.class.getName());
    private static final FailureLog FAILURES = new FailureLog(LOG);

    /**
     * Bodies up to this size are parsed on the request's own thread: about ten images of JSON, well under a
     * millisecond of parsing.
     */
    private static final int PARSED_IN_PLACE_BYTES = 64 * 1024;

    private final RequestRouter router;
    private final ModelLoader loader;
    private final RequestMetrics metrics;
    private final Executor workers;
    private final byte[] serverMetadata;

    /** @param workers platform threads where request bodies are parsed */
    public InferenceHttpService(RequestRouter router, ModelLoader loader, RequestMetrics metrics, ServerMetadata server,
            Executor workers) {
        this.router = router;
        this.loader = loader;
        this.metrics = metrics;
        this.workers = workers;
        this.serverMetadata = JsonCodec.serverMetadata(server);
    }

    @Override
    public void routing(HttpRules rules) {
        new Routes(rules).get("/", this::serverMetadata)
                .get("/health/live", this::live)
                .get("/health/ready", this::ready)
                .get("/models/stats", this::statistics)
                .get("/models/{model}", this::modelMetadata)
                .get("/models/{model}/versions/{version}", this::modelMetadata)
                .get("/models/{model}/config", this::modelConfig)
                .get("/models/{model}/versions/{version}/config", this::modelConfig)
                .get("/models/{model}/ready", this::modelReady)
                .get("/models/{model}/versions/{version}/ready", this::modelReady)
                .get("/models/{model}/stats", this::statistics)
                .get("/models/{model}/versions/{version}/stats", this::statistics)
                .post("/models/{model}/infer", this::infer)
                .post("/models/{model}/versions/{version}/infer", this::infer)
                .post("/repository/index", this::repositoryIndex)
                .post("/repository/models/{model}/load", this::load)
                .post("/repository/models/{model}/unload", this::unload);
    }

    private void serverMetadata(ServerRequest request, ServerResponse response) {
        JsonResponses.send(response, Status.OK_200, serverMetadata);
    }

    private void live(ServerRequest request, ServerResponse response) {
        boolean live = router.live();
        JsonResponses.send(response, live ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                JsonCodec.flag("live", live));
    }

    private void ready(ServerRequest request, ServerResponse response) {
        boolean ready = router.ready();
        JsonResponses.send(response, ready ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503,
                JsonCodec.flag("ready", ready));
    }

    private void modelMetadata(ServerRequest request, ServerResponse response) {
        respond(response, () -> JsonCodec.modelMetadata(router.metadata(model(request), version(request))));
    }

    private void modelConfig(ServerRequest request, ServerResponse response) {
        respond(response, () -> ModelConfiguration.json(ModelConfiguration.of(
                router.metadata(model(request), version(request)), loader.cudaDevice())));
    }

    private void modelReady(ServerRequest request, ServerResponse response) {
        String model = model(request);
        String version = version(request);
        if (router.modelReady(model, version)) {
            JsonResponses.send(response, Status.OK_200, JsonCodec.modelReady(model, true));
            return;
        }
        respond(response, () -> {
            try {
                // Throws NOT_FOUND (404) for a model or version the repository does not have.
                router.metadata(model, version);
            } catch (InferenceException e) {
                // A model without a READY version is 404 to Triton when the path names no version
                // (ModelLifeCycle::GetModel: "has no available versions"); a named version that is not READY is
                // 503 there as here.
                if (version.isEmpty() && e.status() == InferenceException.Status.UNAVAILABLE) {
                    throw InferenceException.notFound(e.getMessage());
                }
                throw e;
            }
            throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                    "model '" + model + "' is not ready");
        });
    }

    private void statistics(ServerRequest request, ServerResponse response) {
        respond(response, () -> JsonCodec.statistics(router.statistics(model(request), version(request))));
    }

    /**
     * Admission comes before the body is read: a full queue answers 503 at once. Then the body is read on this
     * request's virtual thread (waiting for the network costs nothing there), parsed on a front-end worker and run
     * on a model instance's thread, while this thread only waits.
     */
    private void infer(ServerRequest request, ServerResponse response) {
        String model = model(request);
        String version = version(request);
        // Set by the decoder, which runs before the response exists: how the client wants the outputs back.
        AtomicReference<BinaryTensorData.BinaryOutputs> binaryOutputs = new AtomicReference<>();
        respond(response, () -> {
            InferenceResponse result = RequestRouter.await(metrics.record(model,
                    () -> router.submit(model, version, () -> {
                        BinaryTensorData.Request decoded = decode(request, model, version);
                        binaryOutputs.set(decoded.binaryOutputs());
                        return decoded.inference();
                    })));
            return BinaryTensorData.write(result, binaryOutputs.get());
        }, body -> sendInferResponse(response, body));
    }

    /**
     * An infer response; one with binary data as Triton sends it: Content-Type application/octet-stream and the
     * JSON's length in Inference-Header-Content-Length.
     */
    private static void sendInferResponse(ServerResponse response, BinaryTensorData.Response body) {
        if (!body.hasBinaryData()) {
            JsonResponses.send(response, Status.OK_200, body.bytes());
            return;
        }
        response.status(Status.OK_200);
        response.header(HeaderValues.CONTENT_TYPE_OCTET_STREAM);
        response.header(BinaryTensorData.INFERENCE_HEADER_CONTENT_LENGTH, Integer.toString(body.jsonLength()));
        response.send(body.bytes());
    }

    /**
     * Parsing is computing, and a virtual thread that computes holds one of the few carrier threads that every
     * other request, health checks included, needs; a platform worker shares the cores fairly instead. A small
     * body (a few images) is parsed here: that takes less than the hand-off would.
     */
    private BinaryTensorData.Request decode(ServerRequest request, String model, String version)
            throws InferenceException {
        List<String> inferenceHeaderLength =
                request.headers().values(BinaryTensorData.INFERENCE_HEADER_CONTENT_LENGTH);
        byte[] body;
        try (InputStream in = request.content().inputStream()) {
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Only a raw binary request, which has no JSON to name its input, asks for the model's metadata.
        EngineCall<List<TensorSpec>> inputs = () -> router.metadata(model, version).inputs().stream()
                .map(ServedTensor::api).toList();
        if (body.length <= PARSED_IN_PLACE_BYTES) {
            return BinaryTensorData.read(body, inferenceHeaderLength, model, version, inputs);
        }
        return RequestRouter.await(CompletableFuture.supplyAsync(() -> {
            try {
                return BinaryTensorData.read(body, inferenceHeaderLength, model, version, inputs);
            } catch (InferenceException e) {
                throw new CompletionException(e);
            }
        }, workers));
    }

    /** Triton's repository index: the body may be {@code {"ready": true}} for the READY versions only. */
    private void repositoryIndex(ServerRequest request, ServerResponse response) {
        respond(response, () -> JsonCodec.repositoryIndex(loader.index(), JsonCodec.readyOnly(body(request))));
    }

    /** Triton's load: the body may be empty or {@code {"parameters": {...}}}, see {@link ConfigOverride}. */
    private void load(ServerRequest request, ServerResponse response) {
        respond(response, () -> {
            String model = model(request);
            Map<String, String> parameters = JsonCodec.loadParameters(body(request));
            loader.load(model, ConfigOverride.fromParameters(model, parameters, loader.servingDefaults(),
                    loader.maxBatchSize(), loader.cudaDevice()));
            return JsonCodec.EMPTY_OBJECT;
        });
    }

    private void unload(ServerRequest request, ServerResponse response) {
        respond(response, () -> {
            request.content().consume();
            loader.unload(model(request));
            return JsonCodec.EMPTY_OBJECT;
        });
    }

    /** The body's bytes, as the client sent them: JsonPullReader checks their UTF-8; none is empty. */
    private static byte[] body(ServerRequest request) {
        return request.content().hasEntity() ? request.content().as(byte[].class) : new byte[0];
    }

    /** The model of the path; "" (every model) for {@code /v2/models/stats}. */
    private static String model(ServerRequest request) {
        return request.path().pathParameters().first("model").orElse("");
    }

    /** The version of the path; "" when the path names none. */
    private static String version(ServerRequest request) {
        return request.path().pathParameters().first("version").orElse("");
    }

    /** Sends the JSON that {@code call} returns with 200, or its failure as {@code {"error": ...}}. */
    static void respond(ServerResponse response, EngineCall<byte[]> call) {
        respond(response, call, json -> JsonResponses.send(response, Status.OK_200, json));
    }

    /** Sends what {@code call} returns with {@code sendOk}, or its failure as {@code {"error": ...}}. */
    private static <T> void respond(ServerResponse response, EngineCall<T> call, Consumer<T> sendOk) {
        T result;
        try {
            result = call.run();
        } catch (InferenceException e) {
            if (e.getCause() instanceof HttpException || e.getCause() instanceof RequestException
                    || e.getCause() instanceof CloseConnectionException) {
                // Reading the body inside the engine's call failed in Helidon's way (a chunked body over the
                // limit: 413, broken framing: 400, see ConnectionCloseFilter; a read timeout, see ReadTimeouts):
                // Helidon answers it and closes.
                throw (RuntimeException) e.getCause();
            }
            if (e.status() == InferenceException.Status.INTERNAL) {
                FAILURES.failed("HTTP request failed: " + e.getMessage(), e.getCause());
            }
            JsonResponses.send(response, Status.create(e.status().httpCode()), JsonCodec.error(e.getMessage()));
            return;
        } catch (HttpException | RequestException | CloseConnectionException e) {
            // Helidon's own answers, such as 413 for a chunked body over the limit, go to its direct handlers; a
            // connection to close (a read timeout) closes.
            throw e;
        } catch (RuntimeException e) {
            FAILURES.failed("HTTP request failed", e);
            JsonResponses.send(response, Status.INTERNAL_SERVER_ERROR_500, JsonCodec.error(e.toString()));
            return;
        }
        sendOk.accept(result);
    }
}
