package io.shallowserve.server.inference;

import java.util.List;

/** A model input or output as ModelMetadata reports it; -1 in {@code shape} is the batch dimension. */
public record TensorMetadata(String name, String datatype, List<Long> shape) {}
