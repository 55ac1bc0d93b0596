package io.shallowserve.trainer.export;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link OnnxExporter} wrote into one version directory.
 *
 * @param directory   the version directory, e.g. {@code models/<name>/<version>}
 * @param model       path of the whole-network graph relative to {@code directory}: {@code model.onnx}
 * @param branchFiles paths of the split graphs relative to {@code directory}, in the order they run
 *                    ({@code branches/stem.onnx}, {@code branches/branch-0.onnx} ..., {@code branches/head.onnx});
 *                    empty for a network without branches (deep, tat)
 */
public record ExportedModel(Path directory, String model, List<String> branchFiles) {

    public ExportedModel {
        branchFiles = List.copyOf(branchFiles);
    }

    /** Every written file, relative to {@link #directory()}, with '/' separators as model.json records them. */
    public List<String> files() {
        List<String> files = new ArrayList<>();
        files.add(model);
        files.addAll(branchFiles);
        return List.copyOf(files);
    }

    /** Absolute location of one of {@link #files()}. */
    public Path resolve(String relativeFile) {
        return directory.resolve(relativeFile);
    }
}
