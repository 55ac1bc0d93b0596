package io.shallowserve.server.inference;

import java.util.List;

/**
 * One output tensor: FP32 {@code values} (logits), or, for the classification extension, BYTES {@code strings}
 * of the form "score:index:label" (the other field is null). Row-major; shape[0] is the batch.
 */
public record InferOutput(String name, String datatype, long[] shape, float[] values, List<String> strings) {}
