package io.shallowserve.server.inference;

import io.shallowserve.server.repository.ModelSettings;
import java.util.List;
import java.util.Map;

/**
 * What the server says about one model version.
 *
 * @param name             model name
 * @param versions         the versions it serves, newest first
 * @param platform         always "onnxruntime_onnx"
 * @param inputs           the input tensors
 * @param outputs          the output tensors
 * @param shape            "deep" or "shallow"
 * @param plan             the execution plan serving it: "single", "wide" or "branches"
 * @param planMicros       for the `auto` plan: measured median latency per candidate plan at load time, in
 *                         microseconds; empty when the plan was configured
 * @param parameters       trainable parameters
 * @param labels           class names by index
 * @param maxBatchSize     the largest batch one request, or one dynamically formed batch, may carry
 * @param serving          its instances, dynamic batching and version policy
 */
public record ModelMetadata(
        String name,
        List<String> versions,
        String platform,
        List<TensorMetadata> inputs,
        List<TensorMetadata> outputs,
        String shape,
        String plan,
        Map<String, Double> planMicros,
        long parameters,
        List<String> labels,
        int maxBatchSize,
        ModelSettings serving) {}
