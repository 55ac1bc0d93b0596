/**
 * Rewrites of ONNX graphs made at load time, on the ONNX protobuf itself ({@code ai.onnx.proto.OnnxMl}): the model
 * folder is never written; a rewritten graph goes to ONNX Runtime as bytes.
 * {@link io.shallowserve.runtime.graph.ParallelConvFusion} fuses parallel convolutions that read one tensor and are
 * summed into one broad convolution, for the {@code wide} plan.
 */
package io.shallowserve.runtime.graph;
