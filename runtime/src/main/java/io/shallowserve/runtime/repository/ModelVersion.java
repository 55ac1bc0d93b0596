package io.shallowserve.runtime.repository;

import java.nio.file.Path;

/**
 * A version folder whose manifest passed every check and whose graph files match their sha256.
 *
 * @param name      model name
 * @param version   version number
 * @param directory the version folder
 * @param manifest  its model.json
 * @param manifestSha256 the sha256 of model.json as it was read: a reload keeps a loaded version whose model.json
 *                       is unchanged
 */
public record ModelVersion(String name, int version, Path directory, ModelManifest manifest, String manifestSha256) {

    /** A file named in the manifest, relative to the version folder. */
    public Path file(String relativePath) {
        return directory.resolve(relativePath);
    }

    public int classes() {
        return manifest.architecture().classes();
    }

    /** Values per image: channels x height x width of the input tensor. */
    public int imageSize() {
        return manifest.architecture().imageSize();
    }

    /** {@code <name>/<version>}, as logs and reports name a version. */
    public String id() {
        return name + "/" + version;
    }
}
