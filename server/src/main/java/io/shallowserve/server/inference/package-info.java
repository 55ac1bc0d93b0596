/**
 * The protocol-neutral inference API the gRPC and HTTP front-ends call. {@link
 * io.shallowserve.server.inference.InferenceEngine} loads, reloads and unloads the models of the repository;
 * {@link io.shallowserve.server.inference.ServedModel} holds the versions of one model that serve, swapped in
 * one step; {@link io.shallowserve.server.inference.ServedVersion} validates a request against its version and
 * builds the answer; {@link io.shallowserve.server.inference.BatchScheduler} queues the requests of a version in
 * front of its execution instances and forms dynamic batches; {@link io.shallowserve.server.inference.Readiness}
 * says when the engine counts as ready. Metrics and statistics are kept per version. The
 * request, response and metadata records here are the agreed types both front-ends map to their wire formats.
 */
package io.shallowserve.server.inference;
