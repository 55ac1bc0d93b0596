/**
 * Observability: the Prometheus registry that the front-ends and the engine record into, the per-protocol request
 * meters, and the {@code /metrics} endpoint.
 */
package io.shallowserve.server.observe;
