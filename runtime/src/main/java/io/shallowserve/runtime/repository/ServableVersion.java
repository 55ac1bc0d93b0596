package io.shallowserve.runtime.repository;

import java.nio.file.Path;

/**
 * A version folder the server can serve: one the trainer wrote ({@link ModelVersion}, with its model.json) or any
 * ONNX graph on its own ({@link GraphVersion}, model.onnx and nothing else required).
 */
public sealed interface ServableVersion permits ModelVersion, GraphVersion {

    String name();

    int version();

    /** The version folder. */
    Path directory();

    /**
     * What a reload compares: a loaded version whose identity is unchanged is kept as it is
     * ({@link ModelRepository#identity}).
     */
    String identity();

    /** A file of the version, relative to the version folder. */
    default Path file(String relativePath) {
        return directory().resolve(relativePath);
    }

    /** {@code <name>/<version>}, as logs and reports name a version. */
    default String id() {
        return name() + "/" + version();
    }
}
