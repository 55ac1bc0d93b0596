/**
 * The gRPC front-end: the Open Inference Protocol service {@code inference.GRPCInferenceService}, the standard
 * {@code grpc.health.v1.Health} service, and what Helidon's gRPC server needs around them.
 */
package io.shallowserve.server.grpc;
