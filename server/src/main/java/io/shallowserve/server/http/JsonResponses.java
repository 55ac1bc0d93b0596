package io.shallowserve.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.TransportResponse;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Responses with a JSON body; errors in the protocol's form, {@code {"error": "..."}}, also those that Helidon
 * sends before any route runs: a body over the size limit (413), a malformed request (400).
 */
public final class JsonResponses {

    private JsonResponses() {
    }

    /**
     * Handlers for the errors Helidon answers itself, with the message in a JSON body.
     *
     * @param maxBodyBytes the configured body limit, named in the 413 message
     */
    public static DirectHandlers directHandlers(long maxBodyBytes) {
        DirectHandler json = (request, eventType, status, headers, message) -> TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .entity(JsonCodec.error(status == Status.REQUEST_ENTITY_TOO_LARGE_413
                        ? "the request body is larger than the limit of " + maxBodyBytes
                                + " bytes (shallowserve.limits.message-bytes); send fewer images per request"
                        : message))
                .keepAlive(eventType.keepAlive())
                .build();
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType eventType : DirectHandler.EventType.values()) {
            handlers.addHandler(eventType, json);
        }
        return handlers.build();
    }

    /** The last route: 404 for every path and method no other route took. */
    public static void notFound(ServerRequest request, ServerResponse response) {
        send(response, Status.NOT_FOUND_404, JsonCodec.error("no route for " + request.prologue().method().text()
                + " " + request.path().absolute().path() + "; the Open Inference Protocol paths are under /v2"));
    }

    /** Sends {@code json} as the body, with {@code status}. */
    static void send(ServerResponse response, Status status, byte[] json) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(json);
    }
}
