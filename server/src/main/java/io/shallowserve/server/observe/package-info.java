/**
 * Observability: the Prometheus registry that the front-ends and the engine record into, the per-protocol request
 * meters, the {@code /metrics} endpoint, and the log of the server's own request failures, at most one per interval.
 */
package io.shallowserve.server.observe;
