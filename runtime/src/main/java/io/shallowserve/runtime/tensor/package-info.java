/**
 * Tensors as every part of the server sees them: {@link io.shallowserve.runtime.tensor.Datatype} (the protocol's
 * names), {@link io.shallowserve.runtime.tensor.TensorSpec} (what a model declares) and
 * {@link io.shallowserve.runtime.tensor.Tensor} (values in the protocol's raw layout, from the front-ends through
 * batching to ONNX Runtime and back); and the two things done with tensors where a graph is timed or checked:
 * {@link io.shallowserve.runtime.tensor.RandomTensors} (fixed random inputs for given specs) and
 * {@link io.shallowserve.runtime.tensor.TensorAgreement} (whether a rewritten graph's outputs agree with the
 * graph's own).
 */
package io.shallowserve.runtime.tensor;
