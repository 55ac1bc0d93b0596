/**
 * Tensors as every part of the server sees them: {@link io.shallowserve.runtime.tensor.Datatype} (the protocol's
 * names), {@link io.shallowserve.runtime.tensor.TensorSpec} (what a model declares) and
 * {@link io.shallowserve.runtime.tensor.Tensor} (values in the protocol's raw layout, from the front-ends through
 * batching to ONNX Runtime and back).
 */
package io.shallowserve.runtime.tensor;
