/**
 * Turns a trained network into the ONNX files of the model repository (see docs/model-repository.md, "Graphs").
 *
 * <p>The trainer reduces a network to a {@link io.shallowserve.trainer.export.FoldedNetwork} (batch norm
 * folded into the convolutions, ONNX weight layouts). {@link io.shallowserve.trainer.export.OnnxExporter}
 * writes it as {@code model.onnx} and, for the parallel-shallow and parnet shapes, as the split graphs under
 * {@code branches/} that can run concurrently: stem, one graph per branch (unit or stream), and head, with
 * head(stem(x), sum_k branch_k(stem(x))) = model(x). All graphs are built by one
 * {@link io.shallowserve.trainer.export.OnnxGraphBuilder} from the same layer writer, so they cannot drift
 * apart. {@link io.shallowserve.runtime.repository.Sha256} gives the checksums model.json records.
 *
 * <p>DJL has no ONNX exporter; the graphs are written directly as ONNX protobuf messages
 * ({@code ai.onnx.proto.OnnxMl} from tribuo-util-onnx).
 */
package io.shallowserve.trainer.export;
