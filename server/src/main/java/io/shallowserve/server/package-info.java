/**
 * The shallowserve inference server: {@link io.shallowserve.server.Main} reads the configuration, starts the
 * inference engine on the model repository and serves it over the Open Inference Protocol (HTTP on Helidon's
 * WebServer, gRPC on grpc-java's server), with gRPC health, gRPC reflection and Prometheus metrics.
 */
package io.shallowserve.server;
