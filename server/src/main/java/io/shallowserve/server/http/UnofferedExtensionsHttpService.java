package io.shallowserve.server.http;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.shallowserve.server.protocol.UnofferedExtensions;
import io.shallowserve.server.protocol.UnofferedExtensions.SharedMemory;
import java.nio.charset.StandardCharsets;

/**
 * Triton's shared-memory, trace and logging paths, registered under {@code /v2}, answered as
 * {@link UnofferedExtensions} decides: an empty list of shared memory regions, 404 for a named one, 501 to register
 * one, 200 to unregister, 501 for trace and log settings.
 */
public final class UnofferedExtensionsHttpService implements HttpService {

    /** The status of no region: Triton's JSON form is a list of regions. */
    private static final byte[] NO_REGIONS = "[]".getBytes(StandardCharsets.UTF_8);

    @Override
    public void routing(HttpRules rules) {
        sharedMemory(rules, "/systemsharedmemory", SharedMemory.SYSTEM);
        sharedMemory(rules, "/cudasharedmemory", SharedMemory.CUDA);
        rules.any("/trace/setting", this::traceSetting)
                .any("/models/{model}/trace/setting", this::traceSetting)
                .any("/models/{model}/versions/{version}/trace/setting", this::traceSetting)
                .any("/logging", this::logSettings);
    }

    private static void sharedMemory(HttpRules rules, String path, SharedMemory kind) {
        new Routes(rules).get(path + "/status", (request, response) -> status(kind, request, response))
                .get(path + "/region/{region}/status", (request, response) -> status(kind, request, response))
                .post(path + "/region/{region}/register", (request, response) -> InferenceHttpService.respond(
                        response, () -> {
                            UnofferedExtensions.sharedMemoryRegister(kind);
                            return JsonCodec.EMPTY_OBJECT;
                        }))
                .post(path + "/unregister", (request, response) -> unregister(kind, request, response))
                .post(path + "/region/{region}/unregister", (request, response) -> unregister(kind, request,
                        response));
    }

    private static void status(SharedMemory kind, ServerRequest request, ServerResponse response) {
        InferenceHttpService.respond(response, () -> {
            UnofferedExtensions.sharedMemoryStatus(kind, region(request));
            return NO_REGIONS;
        });
    }

    private static void unregister(SharedMemory kind, ServerRequest request, ServerResponse response) {
        InferenceHttpService.respond(response, () -> {
            request.content().consume();
            UnofferedExtensions.sharedMemoryUnregister(kind, region(request));
            return JsonCodec.EMPTY_OBJECT;
        });
    }

    private void traceSetting(ServerRequest request, ServerResponse response) {
        InferenceHttpService.respond(response, () -> {
            UnofferedExtensions.traceSetting();
            return JsonCodec.EMPTY_OBJECT;
        });
    }

    private void logSettings(ServerRequest request, ServerResponse response) {
        InferenceHttpService.respond(response, () -> {
            UnofferedExtensions.logSettings();
            return JsonCodec.EMPTY_OBJECT;
        });
    }

    private static String region(ServerRequest request) {
        return request.path().pathParameters().first("region").orElse("");
    }
}
