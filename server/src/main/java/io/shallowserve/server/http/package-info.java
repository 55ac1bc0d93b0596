/**
 * The HTTP/REST front-end: the Open Inference Protocol paths under {@code /v2} with JSON tensors, and JSON error
 * bodies for everything that goes wrong, inside or outside the routing.
 */
package io.shallowserve.server.http;
