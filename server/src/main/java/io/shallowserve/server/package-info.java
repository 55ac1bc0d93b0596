/**
 * The shallowserve inference server's wiring, which no other package imports: {@link io.shallowserve.server.Main}
 * reads the configuration ({@link io.shallowserve.server.CommandLine}, {@link io.shallowserve.server.Settings}),
 * starts the inference engine on the model repository and serves it over the Open Inference Protocol (HTTP on
 * Helidon's WebServer, gRPC on grpc-java's server), with gRPC health, gRPC reflection and Prometheus metrics;
 * {@link io.shallowserve.server.InferenceServer} is the started server and its way out.
 */
package io.shallowserve.server;
