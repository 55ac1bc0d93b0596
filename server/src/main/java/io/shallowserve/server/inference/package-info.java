/**
 * The protocol-neutral inference API the gRPC and HTTP front-ends call: {@link
 * io.shallowserve.server.inference.InferenceEngine} loads the model repository, validates and admits requests
 * (a bounded queue per model, deadlines), runs them on each version's execution plan, and keeps metrics and
 * statistics. The request, response and metadata records here are the agreed types both front-ends map to their
 * wire formats.
 */
package io.shallowserve.server.inference;
