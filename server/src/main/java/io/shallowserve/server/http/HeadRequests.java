package io.shallowserve.server.http;

import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.OutputStream;

/**
 * Answers a HEAD request as its GET would be answered, status and headers, without the body (RFC 9110, 9.3.2).
 *
 * <p>Helidon 4.5.0 neither routes HEAD to GET routes nor leaves the body out of a response to HEAD: HEAD got the
 * 404 of an unknown route with its JSON body, which a client that sent HEAD does not read, so it read those bytes as
 * the start of the next response on the connection. Here the request is routed as GET and whatever the handler writes
 * is dropped; Helidon then sends {@code Content-Length: 0}, where RFC 9110 would have the GET's length or none, which
 * no client relies on for HEAD, and the connection stays framed.
 */
final class HeadRequests implements Filter {

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        HttpPrologue prologue = request.prologue();
        if (prologue.method().equals(Method.HEAD)) {
            request.prologue(HttpPrologue.create(prologue.rawProtocol(), prologue.protocol(),
                    prologue.protocolVersion(), Method.GET, prologue.uriPath(), prologue.query(),
                    prologue.fragment()));
            response.streamFilter(body -> OutputStream.nullOutputStream());
        }
        chain.proceed();
    }
}
