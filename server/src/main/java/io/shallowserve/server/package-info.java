/**
 * The shallowserve inference server: {@link io.shallowserve.server.Main} reads the configuration, starts the
 * inference engine on the model repository and serves it over the Open Inference Protocol (gRPC and HTTP on one
 * Helidon WebServer), with gRPC health, gRPC reflection and Prometheus metrics.
 */
package io.shallowserve.server;
