/**
 * The HTTP/REST front-end: the Open Inference Protocol paths under {@code /v2} with JSON tensors, and JSON error
 * bodies for everything that goes wrong, inside or outside the routing. {@link io.shallowserve.server.http.HttpPort}
 * puts it on Helidon's HTTP/1.1 listener with the port's protections: read timeouts, connections that end where
 * a request could not be read to its end, and gzip and deflate bodies decompressed within the body limit.
 */
package io.shallowserve.server.http;
