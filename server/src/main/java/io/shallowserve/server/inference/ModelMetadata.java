package io.shallowserve.server.inference;

import io.shallowserve.server.repository.ModelSettings;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the server says about one model version.
 *
 * @param name             model name
 * @param versions         the versions it serves, newest first
 * @param platform         always "onnxruntime_onnx"
 * @param inputs           the input tensors, in the shapes requests send them and the graph's
 * @param outputs          the output tensors, in the shapes responses carry them and the graph's
 * @param shape            "deep", "shallow" or "tat" for a model the trainer wrote; empty for any other graph
 * @param plan             the execution plan serving it: "single", "wide" or "branches"
 * @param planCandidate    the plan with the intra-op threads of its sessions, e.g. "single 2t" (the keys of
 *                         {@code planMicros})
 * @param planMicros       for the `auto` plan: measured median latency per candidate plan at load time, in
 *                         microseconds; empty when the plan was configured
 * @param split            what the search for a fork–join region found (its branches and join, or why there is
 *                         none) when auto or branches asked for one; empty otherwise
 * @param parameters       trainable parameters of a model the trainer wrote, as its model.json records them; for
 *                         any other graph the elements of its initializers
 * @param labels           class names by index; empty for a model without them
 * @param maxBatchSize     the largest batch one request, or one dynamically formed batch, may carry; 0 for a model
 *                         whose first dimension is not a batch
 * @param serving          its instances, dynamic batching and version policy
 * @param configuration    the Triton configuration it was loaded with, if any: its queue policy, parameters and
 *                         warm-up samples, which the model configuration reports as applied
 */
public record ModelMetadata(
        String name,
        List<String> versions,
        String platform,
        List<ServedTensor> inputs,
        List<ServedTensor> outputs,
        Optional<String> shape,
        String plan,
        String planCandidate,
        Map<String, Double> planMicros,
        Optional<String> split,
        long parameters,
        List<String> labels,
        int maxBatchSize,
        ModelSettings serving,
        Optional<TritonModelConfig> configuration) {}
