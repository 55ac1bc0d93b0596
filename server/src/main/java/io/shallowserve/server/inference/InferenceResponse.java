package io.shallowserve.server.inference;

import io.shallowserve.runtime.tensor.Tensor;
import java.util.List;

/** The answer to one {@link InferenceRequest}: the model and version that served it, and its outputs. */
public record InferenceResponse(String model, String version, String id, List<Tensor> outputs) {}
