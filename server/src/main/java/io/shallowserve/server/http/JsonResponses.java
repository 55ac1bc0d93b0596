package io.shallowserve.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.TransportResponse;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;

/**
 * Responses with a JSON body; errors in the protocol's form, {@code {"error": "..."}}, also those that Helidon
 * sends before any route runs or while it reads a body: a body over the size limit, compressed or decompressed (413),
 * a request line over its limit (414), a body in a coding this server does not decode (415), a malformed request
 * (400).
 */
public final class JsonResponses {

    /** What Helidon says instead of a message it deems unsafe to send; it logs the real one only at DEBUG. */
    private static final String HELIDON_UNSAFE_MESSAGE = "Bad request, see server log for more information";

    private JsonResponses() {
    }

    /**
     * Handlers for the errors Helidon answers itself, each with a message that says what was wrong.
     *
     * @param maxBodyBytes        the body limit, named in the 413 message
     * @param maxRequestLineBytes the request line limit, named in the 414 message
     */
    static DirectHandlers directHandlers(long maxBodyBytes, int maxRequestLineBytes) {
        DirectHandler json = (request, eventType, status, headers, message) ->
                error(request, eventType, status, headers, message, maxBodyBytes, maxRequestLineBytes);
        DirectHandlers.Builder handlers = DirectHandlers.builder();
        for (DirectHandler.EventType eventType : DirectHandler.EventType.values()) {
            handlers.addHandler(eventType, json);
        }
        return handlers.build();
    }

    /**
     * Helidon's error as a JSON error. {@code message} is Helidon's own, or null where
     * server.error-handling.include-entity is off.
     */
    private static TransportResponse error(DirectHandler.TransportRequest request, DirectHandler.EventType eventType,
            Status status, ServerResponseHeaders headers, String message, long maxBodyBytes,
            int maxRequestLineBytes) {
        String detail = message == null || message.isBlank() || message.equals(HELIDON_UNSAFE_MESSAGE)
                ? null : message;
        TransportResponse.Builder response = TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderValues.CONTENT_TYPE_JSON);
        String text;
        if (status == Status.REQUEST_ENTITY_TOO_LARGE_413) {
            // A compressed body is held to the limit both as sent and as decompressed (HttpCompression).
            String coding = request.headers().contains(HeaderNames.CONTENT_ENCODING) ? ", decompressed"
                    + " (Content-Encoding: " + request.headers().get(HeaderNames.CONTENT_ENCODING).values() + ")," : "";
            text = "the request body" + coding + " is larger than the limit of " + maxBodyBytes
                    + " bytes (shallowserve.limits.message-bytes); send fewer images per request";
        } else if (status == Status.REQUEST_URI_TOO_LONG_414) {
            text = "the request line (method, path and query) is longer than the limit of " + maxRequestLineBytes
                    + " bytes (server.protocols.http_1_1.max-prologue-length)";
        } else if (status == Status.HTTP_VERSION_NOT_SUPPORTED_505) {
            text = "HTTP/1.0 is not supported; send HTTP/1.1";
        } else if (status == Status.BAD_REQUEST_400 && detail != null
                && detail.toLowerCase(Locale.ROOT).replace('-', ' ').contains("content encoding")
                && request.headers().contains(HeaderNames.CONTENT_ENCODING)) {
            // Helidon has no decoder for the body's Content-Encoding (HttpCompression has gzip and deflate). The
            // response's Accept-Encoding lists the codings a request may have (RFC 7694).
            response.status(Status.UNSUPPORTED_MEDIA_TYPE_415)
                    .header(HeaderNames.ACCEPT_ENCODING, HttpCompression.REQUEST_CODINGS);
            text = "request bodies with Content-Encoding: " + request.headers().get(HeaderNames.CONTENT_ENCODING)
                    .values() + " are not supported; send the body with gzip, deflate or no Content-Encoding";
        } else if (status == Status.BAD_REQUEST_400) {
            // Helidon withholds the detail of a malformed request line.
            text = "malformed HTTP/1.1 request: " + (detail != null ? detail
                    : "the request line or a header is not valid HTTP/1.1 (a request line is: METHOD /path HTTP/1.1)");
        } else if (eventType == DirectHandler.EventType.INTERNAL_ERROR && request.method().isEmpty()) {
            // Failed before the request line was parsed, where only the request can be at fault: Helidon 4.5.0 lets
            // the IllegalArgumentException of a method that is not a token escape its parser as a 500.
            response.status(Status.BAD_REQUEST_400);
            text = "malformed HTTP/1.1 request: the request line could not be parsed (the method must be a token,"
                    + " e.g. GET or POST)";
        } else {
            text = detail != null ? detail : status.reasonPhrase();
        }
        return response.entity(JsonCodec.error(text)).build();
    }

    /** The last route: 404 for every path no other route has (one that has it answers 405 to other methods). */
    public static void notFound(ServerRequest request, ServerResponse response) {
        send(response, Status.NOT_FOUND_404, JsonCodec.error("no route for " + request.prologue().method().text()
                + " " + request.path().absolute().path() + "; the Open Inference Protocol paths are under /v2"));
    }

    /** 405 for a path this server has, asked with another method than {@code allowed}, the one it answers. */
    static void methodNotAllowed(ServerRequest request, ServerResponse response, Method allowed) {
        response.header(HeaderNames.ALLOW, allowed.text());
        send(response, Status.METHOD_NOT_ALLOWED_405, JsonCodec.error(request.path().absolute().path() + " takes "
                + allowed.text() + ", not " + request.prologue().method().text()));
    }

    /** Sends {@code json} as the body, with {@code status}. */
    static void send(ServerResponse response, Status status, byte[] json) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(json);
    }
}
