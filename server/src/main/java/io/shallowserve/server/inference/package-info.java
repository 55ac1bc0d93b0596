/**
 * The protocol-neutral inference API the gRPC and HTTP front-ends call. {@link
 * io.shallowserve.server.inference.InferenceEngine} wires its two parts: the {@link
 * io.shallowserve.server.inference.ModelLoader} loads, reloads, polls and unloads the models of the repository and
 * owns the engine's thread pools; the {@link io.shallowserve.server.inference.RequestRouter} finds the version a
 * request names and submits the request to it, and says when the engine counts as ready ({@link
 * io.shallowserve.server.inference.Readiness}). {@link io.shallowserve.server.inference.ServedModel} holds the
 * versions of one model that serve, swapped in one step; {@link io.shallowserve.server.inference.ServedVersion}
 * validates a request against its version and builds the answer; {@link
 * io.shallowserve.server.inference.BatchScheduler} queues the requests of a version in front of its execution
 * instances and runs the batches that {@link io.shallowserve.server.inference.BatchPolicy} decides. Metrics and statistics are kept per version. The request, response and
 * metadata records here are the agreed types both front-ends map to their wire formats.
 */
package io.shallowserve.server.inference;
