package io.shallowserve.runtime.repository;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The committed default models, and copies of them to break in a temporary folder. Surefire runs in the server
 * module, so the repository is {@code ../models}.
 */
public final class TestRepository {

    public static final Path COMMITTED = Path.of("../models");
    public static final String DEEP = "fashion-deep";
    public static final String SHALLOW = "fashion-shallow";
    /** The version folder of the trained parnet model, 2 streams, committed with its research (research/parnet). */
    public static final Path PARNET = Path.of("..", "research", "parnet", "models", "fashion-parnet", "1");

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private TestRepository() {}

    /** The committed version folder of {@code model}. */
    public static ModelRepository.VersionFolder committed(String model) {
        return new ModelRepository.VersionFolder(model, 1, COMMITTED.resolve(model).resolve("1"));
    }

    public static ModelVersion verified(String model) throws ModelVersionException {
        return (ModelVersion) ModelRepository.verify(committed(model));
    }

    /**
     * Copies the committed version 1 of {@code model} to {@code <root>/<model>/<version>}, with name and version in
     * its model.json set to match the new folder.
     */
    public static Path copy(String model, Path root, int version) throws IOException {
        return copyAs(model, model, root, version);
    }

    /**
     * Copies the committed version 1 of {@code model} to {@code <root>/<name>/<version>}, with name and version in
     * its model.json set to match: the same weights under another name, so that tests sharing one server do not
     * share a model.
     */
    public static Path copyAs(String model, String name, Path root, int version) throws IOException {
        Path source = COMMITTED.resolve(model).resolve("1");
        Path target = root.resolve(name).resolve(Integer.toString(version));
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
        editManifest(target, json -> {
            json.addProperty("name", name);
            json.addProperty("version", version);
        });
        return target;
    }

    /** A new, empty folder for a test's own repository under target/, removing what an earlier run left there. */
    public static Path emptyFolder(String name) throws IOException {
        Path folder = Path.of("target", "test-repositories", name).toAbsolutePath();
        ModelRepository.delete(folder);
        return Files.createDirectories(folder);
    }

    /** Rewrites the model.json of a version folder. */
    public static void editManifest(Path versionFolder, Consumer<JsonObject> edit) {
        Path file = versionFolder.resolve(ModelManifest.FILE_NAME);
        try {
            JsonObject json = GSON.fromJson(Files.readString(file), JsonObject.class);
            edit.accept(json);
            Files.writeString(file, GSON.toJson(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
