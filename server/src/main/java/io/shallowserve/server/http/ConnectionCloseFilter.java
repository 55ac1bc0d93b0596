package io.shallowserve.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.DirectTransportRequest;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Ends an HTTP/1.1 connection once the server has answered {@code Connection: close}, and makes every request body
 * that cannot be read to its end answer so: then nothing after the failure is taken for a request of its own.
 *
 * <p>Helidon 4.5.0 answers a failure that must close the connection inside the routing (a chunk over the body limit:
 * 413) with {@code Connection: close}, and then reads on: {@code Http1Connection.route} skips the rest of the body
 * because the response says close ({@code consumeEntity}), and its loop parses whatever follows, the chunk's data
 * say, as the next request (request smuggling). This filter throws Helidon's {@link CloseConnectionException} once
 * such a response is sent, which ends that loop and closes the socket.
 *
 * <p>Helidon raises some failures of a body's framing as plain runtime exceptions (a chunk size that is not hex is a
 * {@link NumberFormatException}), which a handler would take for a problem of the JSON in it and answer keeping the
 * connection open. The body's stream turns every such failure into a 400 that closes the connection.
 */
final class ConnectionCloseFilter implements Filter {

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        request.streamFilter(body -> new RequestBody(body,
                DirectTransportRequest.create(request.prologue(), request.headers())));
        chain.proceed();
        if (response.isSent() && response.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException("the response said Connection: close");
        }
    }

    /** A request body whose every failure to be read is a 400 that closes the connection. */
    private static final class RequestBody extends FilterInputStream {

        private final DirectHandler.TransportRequest request;

        RequestBody(InputStream body, DirectHandler.TransportRequest request) {
            super(body);
            this.request = request;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (RuntimeException | IOException e) {
                throw closing(e);
            }
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            try {
                return super.read(bytes, offset, length);
            } catch (RuntimeException | IOException e) {
                throw closing(e);
            }
        }

        @Override
        public long skip(long count) throws IOException {
            try {
                return super.skip(count);
            } catch (RuntimeException | IOException e) {
                throw closing(e);
            }
        }

        /** {@code failure} as an exception that makes Helidon answer and close; its own such ones as they are. */
        private RuntimeException closing(Exception failure) {
            if (failure instanceof RequestException requestException && !requestException.keepAlive()) {
                return requestException;
            }
            if (failure instanceof HttpException httpException && !httpException.keepAlive()) {
                // Such as 413 for a compressed body that decompresses past the limit (HttpCompression).
                return httpException;
            }
            if (failure instanceof CloseConnectionException closing) {
                return closing;
            }
            return RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .status(Status.BAD_REQUEST_400)
                    // With the request, Helidon's answer says Connection: close (DirectHandlers.handle).
                    .request(request)
                    .setKeepAlive(false)
                    .message("the request body could not be read: " + (failure.getMessage() != null
                            ? failure.getMessage() : failure.getClass().getSimpleName()))
                    .cause(failure)
                    .build();
        }
    }
}
