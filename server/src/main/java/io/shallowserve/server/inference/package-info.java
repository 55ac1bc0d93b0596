/**
 * The protocol-neutral inference API the gRPC and HTTP front-ends call. {@link
 * io.shallowserve.server.inference.InferenceEngine} wires its two parts: the {@link
 * io.shallowserve.server.inference.ModelLoader} loads, reloads, polls and unloads the models of the repository and
 * owns the engine's thread pools; the {@link io.shallowserve.server.inference.RequestRouter} finds the version a
 * request names and submits the request to it, and says when the engine counts as ready ({@link
 * io.shallowserve.server.inference.Readiness}).
 *
 * <p>{@link io.shallowserve.server.inference.ServedModel} holds the versions of one model that serve, swapped in
 * one step; {@link io.shallowserve.server.inference.ServedVersion} runs one version's requests: {@link
 * io.shallowserve.server.inference.RequestValidator} checks them against its manifest, {@link
 * io.shallowserve.server.inference.BatchScheduler} queues them in front of its execution instances and runs the
 * batches {@link io.shallowserve.server.inference.BatchPolicy} decides, {@link
 * io.shallowserve.server.inference.Classification} writes top-k outputs, and {@link
 * io.shallowserve.server.inference.UserCount} says when a retired version closes. Metrics and statistics are kept
 * per version. The request, response and metadata records here are the agreed types both front-ends map to their
 * wire formats.
 */
package io.shallowserve.server.inference;
