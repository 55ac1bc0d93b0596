/**
 * The gRPC front-end: the Open Inference Protocol service {@code inference.GRPCInferenceService}, the standard
 * {@code grpc.health.v1.Health} service and reflection, on grpc-java's Netty server.
 */
package io.shallowserve.server.grpc;
