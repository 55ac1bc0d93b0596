package io.shallowserve.runtime.repository;

import java.nio.file.Path;

/**
 * A version folder the trainer wrote: its manifest passed every check and its graph files match their sha256.
 *
 * @param name      model name
 * @param version   version number
 * @param directory the version folder
 * @param manifest  its model.json
 * @param identity  see {@link ModelRepository#identity}
 */
public record ModelVersion(String name, int version, Path directory, ModelManifest manifest, String identity)
        implements ServableVersion {

    public int classes() {
        return manifest.architecture().classes();
    }

    /** Values per image: channels x height x width of the input tensor. */
    public int imageSize() {
        return manifest.architecture().imageSize();
    }
}
