package io.shallowserve.runtime.repository;

import java.nio.file.Path;

/**
 * A version folder with model.onnx and no model.json: any ONNX graph, served with the inputs, outputs, datatypes and
 * shapes the graph itself declares, as Triton serves a model repository.
 *
 * @param identity see {@link ModelRepository#identity}
 */
public record GraphVersion(String name, int version, Path directory, String identity) implements ServableVersion {}
