/**
 * Rewrites and cuts of ONNX graphs made at load time, on the ONNX protobuf itself ({@code ai.onnx.proto.OnnxMl}): the
 * model folder is never written; a rewritten graph or a part goes to ONNX Runtime as bytes.
 * {@link io.shallowserve.runtime.graph.ParallelConvFusion} fuses parallel convolutions that read one tensor and are
 * summed into one broad convolution, for the {@code wide} plan. {@link io.shallowserve.runtime.graph.ForkJoinSplit}
 * cuts any graph at its most parallel fork–join region into a stem, branches and a head, the parts a parallel plan
 * runs, {@link io.shallowserve.runtime.graph.BranchGroups} puts summed branches in fewer fused groups for the
 * {@code grouped} plan, and {@link io.shallowserve.runtime.graph.SplitCheck} checks on random inputs that the parts
 * compute what the whole graph computes.
 */
package io.shallowserve.runtime.graph;
