package io.shallowserve.runtime.repository;

import com.google.gson.JsonParseException;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The layout of a model repository, {@code <root>/<name>/<version>/model.onnx}, with the trainer's model.json and
 * the graph files it lists where the trainer wrote the version, and an optional {@code <root>/<name>/serving.yaml}
 * (docs/model-repository.md): finds the model and version folders and verifies one version at a time: for a
 * trainer-made version the manifest's format tag and required fields, that every graph a plan opens is listed in
 * {@code files}, and the sha256 of every listed file. A version that fails gets a {@link ModelVersionException}
 * saying what was wrong and what to do.
 */
public final class ModelRepository {

    /** How a model is served, beside its version folders. */
    public static final String SETTINGS_FILE = "serving.yaml";
    /** Triton's model configuration, beside the version folders of a model made for Triton. */
    public static final String TRITON_CONFIG_FILE = "config.pbtxt";

    private static final System.Logger LOG = System.getLogger(ModelRepository.class.getName());
    /**
     * A model name is one folder name that every client can send and every file system holds: letters, digits and
     * {@code _ . -}, not starting with {@code .} or {@code -}, so never "." or "..", hidden, or an option.
     */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private ModelRepository() {}

    /**
     * Why {@code name} cannot be a model's name, or empty if it can: the one rule for model folders and for the names
     * clients send.
     */
    public static Optional<String> nameProblem(String name) {
        if (MODEL_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of("\"" + name + "\" is not a model name: a model folder's name has 1 to 128 letters, digits,"
                + " '_', '.' or '-' and does not start with '.' or '-'; rename the folder");
    }

    /** A version folder found under the repository root. */
    public record VersionFolder(String name, int version, Path directory) {}

    /**
     * Every {@code <root>/<name>/<version>/} folder whose version is a positive integer, sorted by name, then
     * version. Other folders are not versions (Triton skips them too); they are logged, not reported.
     *
     * @throws IllegalArgumentException if {@code root} is not a directory
     */
    public static List<VersionFolder> versionFolders(Path root) {
        return modelNames(root).stream().flatMap(model -> versionFolders(root, model).stream()).toList();
    }

    /**
     * The model folders of the repository, sorted by name: every folder that does not start with "." (those are
     * hidden, as Triton and git keep them), including those whose name breaks the rule ({@link #nameProblem}), so
     * that the server can say why it does not serve them.
     *
     * @throws IllegalArgumentException if {@code root} is not a directory
     */
    public static List<String> modelNames(Path root) {
        requireDirectory(root);
        return subdirectories(root).stream().map(dir -> dir.getFileName().toString()).toList();
    }

    /**
     * Deletes a folder and everything in it, if it exists: a repository, a model or a version folder that a stopped
     * run left half-written, or an old report.
     */
    public static void delete(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /** The version folders of one model, sorted by version; none if the model has no folder. */
    public static List<VersionFolder> versionFolders(Path root, String model) {
        return scan(root, model, true);
    }

    /**
     * A digest of what a load of {@code model} reads first: the model's serving.yaml and config.pbtxt and each version
     * folder's name
     * and {@link #identity}. It changes when a version is added, removed or re-exported, or the settings change,
     * which is what repository polling looks for.
     */
    public static String fingerprint(Path root, String model) {
        MessageDigest digest = Sha256.newDigest();
        Path modelFolder = root.resolve(model);
        List<Path> files = new ArrayList<>();
        files.add(modelFolder.resolve(SETTINGS_FILE));
        files.add(modelFolder.resolve(TRITON_CONFIG_FILE));
        for (Path file : files) {
            digest.update(modelFolder.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            try {
                digest.update(Files.readAllBytes(file));
            } catch (IOException e) {
                // Missing or unreadable counts as empty: the load that follows a change says what is wrong.
                digest.update((byte) 0);
            }
        }
        for (VersionFolder folder : scan(root, model, false)) {
            digest.update((folder.version() + " " + identity(folder.directory())).getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * What says that a version folder changed: the sha256 of its model.json where the trainer wrote one (which
     * holds the sha256 of every graph), else the size and modification time of its model.onnx (hashing a graph of
     * gigabytes on every poll would cost more than a reload); "" if neither can be read.
     */
    public static String identity(Path versionFolder) {
        try {
            Path manifest = versionFolder.resolve(ModelManifest.FILE_NAME);
            if (Files.exists(manifest)) {
                return Sha256.of(Files.readAllBytes(manifest));
            }
            Path graph = versionFolder.resolve(ModelManifest.MODEL_FILE);
            return ModelManifest.MODEL_FILE + " " + Files.size(graph) + " bytes, modified "
                    + Files.getLastModifiedTime(graph).toMillis();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Verifies the version folder {@code <model>/<version>} of a repository, e.g. {@code models/fashion-deep/1}: the
     * way the research commands open what the trainer wrote.
     */
    public static ModelVersion verify(Path versionFolder) throws ModelVersionException {
        Path absolute = versionFolder.toAbsolutePath().normalize();
        int version = versionNumber(absolute.getFileName().toString());
        if (version < 1 || absolute.getParent() == null || absolute.getParent().getFileName() == null) {
            throw new ModelVersionException(versionFolder + " is not a version folder <repository>/<model>/<version>"
                    + " (the version a positive integer); give the folder that holds model.json");
        }
        return verifyTrained(new VersionFolder(absolute.getParent().getFileName().toString(), version, absolute));
    }

    /**
     * The version in one version folder: the trainer's, verified with its model.json, where it has one; else any
     * ONNX graph in model.onnx, which ONNX Runtime checks when it opens it.
     *
     * @throws ModelVersionException if model.json is wrong, or there is neither model.json nor model.onnx
     */
    public static ServableVersion verify(VersionFolder folder) throws ModelVersionException {
        if (Files.exists(folder.directory().resolve(ModelManifest.FILE_NAME))) {
            return verifyTrained(folder);
        }
        if (!Files.isRegularFile(folder.directory().resolve(ModelManifest.MODEL_FILE))) {
            throw new ModelVersionException(Path.of(folder.name(), Integer.toString(folder.version()))
                    + " has no model.onnx: a version folder holds the ONNX graph as model.onnx (and, if the trainer"
                    + " wrote it, its model.json)");
        }
        return new GraphVersion(folder.name(), folder.version(), folder.directory(), identity(folder.directory()));
    }

    /**
     * Reads and checks the manifest of one version folder and the sha256 of every file it lists: how the research
     * commands, which need what model.json records, open a version.
     */
    public static ModelVersion verifyTrained(VersionFolder folder) throws ModelVersionException {
        // Messages name files from the repository root: clients see them, and the server's paths are not theirs.
        Path shown = Path.of(folder.name(), Integer.toString(folder.version()));
        Path manifestFile = folder.directory().resolve(ModelManifest.FILE_NAME);
        ModelManifest manifest = readManifest(manifestFile, shown.resolve(ModelManifest.FILE_NAME));
        List<String> problems = manifestProblems(manifest, folder);
        if (!problems.isEmpty()) {
            throw new ModelVersionException(shown.resolve(ModelManifest.FILE_NAME) + ": " + String.join("; ",
                    problems) + ". Re-export the model with the trainer (bin/trainer) or fix model.json");
        }
        for (var entry : manifest.files().entrySet()) {
            checkSha256(folder.directory(), shown, entry.getKey(), entry.getValue());
        }
        return new ModelVersion(folder.name(), folder.version(), folder.directory(), manifest,
                identity(folder.directory()));
    }

    /** The version folders of one model; other folders are logged if {@code logSkipped} (polls stay quiet). */
    private static List<VersionFolder> scan(Path root, String model, boolean logSkipped) {
        Path modelDir = root.resolve(model);
        if (!Files.isDirectory(modelDir)) {
            return List.of();
        }
        List<VersionFolder> folders = new ArrayList<>();
        for (Path versionDir : subdirectories(modelDir)) {
            int version = versionNumber(versionDir.getFileName().toString());
            if (version > 0) {
                folders.add(new VersionFolder(model, version, versionDir));
            } else if (logSkipped) {
                LOG.log(System.Logger.Level.WARNING, "skipping {0}: a version folder name is a positive integer",
                        versionDir);
            }
        }
        folders.sort(Comparator.comparingInt(VersionFolder::version));
        return folders;
    }

    private static void requireDirectory(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("model repository " + root.toAbsolutePath() + " is not a directory;"
                    + " point the repository setting at the folder that holds <name>/<version>/model.json");
        }
    }

    /** @param shown {@code file} as messages name it */
    private static ModelManifest readManifest(Path file, Path shown) throws ModelVersionException {
        String json;
        try {
            json = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ModelVersionException(shown + " is missing: every version folder needs a model.json;"
                    + " copy the whole version folder the trainer wrote");
        } catch (IOException e) {
            throw new ModelVersionException(shown + " cannot be read (" + e.getClass().getSimpleName()
                    + "); check its permissions", e);
        }
        ModelManifest manifest;
        try {
            manifest = ModelManifest.fromJson(json);
        } catch (JsonParseException e) {
            throw new ModelVersionException(shown + " is not a valid model.json (" + rootMessage(e)
                    + "); re-export the model with the trainer", e);
        }
        if (manifest == null) {
            throw new ModelVersionException(shown + " is empty; re-export the model with the trainer");
        }
        if (!ModelManifest.FORMAT.equals(manifest.format())) {
            throw new ModelVersionException(shown + ": format is " + quoted(manifest.format())
                    + ", this server reads \"" + ModelManifest.FORMAT + "\"; re-export the model with a trainer of this release");
        }
        return manifest;
    }

    private static List<String> manifestProblems(ModelManifest m, VersionFolder folder) {
        List<String> problems = new ArrayList<>();
        if (!folder.name().equals(m.name())) {
            problems.add("name is " + quoted(m.name()) + " but the model folder is \"" + folder.name() + "\"");
        }
        if (m.version() != folder.version()) {
            problems.add("version is " + m.version() + " but the version folder is \"" + folder.version() + "\"");
        }
        if (!ModelManifest.SHAPES.contains(m.shape())) {
            problems.add("shape is " + quoted(m.shape()) + ", expected one of " + String.join(", ",
                    ModelManifest.SHAPES.stream().map(ModelRepository::quoted).toList()));
        }
        ModelManifest.Architecture spec = m.architecture();
        if (spec == null) {
            problems.add("architecture is missing");
        } else if (spec.classes() < 2 || spec.inputChannels() < 1 || spec.inputHeight() < 1 || spec.inputWidth() < 1) {
            problems.add("architecture needs classes >= 2 and positive inputChannels, inputHeight, inputWidth");
        } else {
            tensorProblems(problems, "input", m.input(),
                    List.of(-1L, (long) spec.inputChannels(), (long) spec.inputHeight(), (long) spec.inputWidth()));
            tensorProblems(problems, "output", m.output(), List.of(-1L, (long) spec.classes()));
            if (m.labels() == null || m.labels().size() != spec.classes()) {
                problems.add("labels must name all " + spec.classes() + " classes, found "
                        + (m.labels() == null ? "none" : m.labels().size()));
            }
        }
        if (spec != null && ModelManifest.TAT.equals(m.shape()) && !(spec.leakyReluSlope() != null
                && spec.leakyReluSlope() >= 0 && spec.leakyReluSlope() <= 1)) {
            problems.add("a tat model needs architecture.leakyReluSlope, its activation's slope in [0, 1], found "
                    + (spec.leakyReluSlope() == null ? "none" : spec.leakyReluSlope()));
        }
        boolean parnet = ModelManifest.PARNET.equals(m.shape());
        if (spec != null && parnet && !(spec.streams() != null && spec.streams() >= 2
                && spec.units() % spec.streams() == 0)) {
            problems.add("a parnet model needs architecture.streams, at least 2 and dividing its " + spec.units()
                    + " units, found " + (spec.streams() == null ? "none" : spec.streams()));
        }
        if (m.files() == null || m.files().isEmpty()) {
            problems.add("files is missing: it must give the sha256 of every graph file");
            return problems;
        }
        List<String> graphs = new ArrayList<>(List.of(ModelManifest.MODEL_FILE));
        if (m.hasBranches()) {
            ModelManifest.Branches b = m.branches();
            if (b == null || b.stem() == null || b.head() == null || b.branches() == null || b.branches().isEmpty()
                    || b.stemOutput() == null || b.branchOutput() == null || b.headInputs() == null
                    || b.headInputs().size() != 2) {
                problems.add("a " + m.shape() + " model needs branches {stem, branches: [..], head, stemOutput,"
                        + " branchOutput, headInputs: [stem, branch_sum]}");
            } else {
                if (parnet && spec != null && spec.streams() != null && b.branches().size() != spec.streams()) {
                    problems.add("a parnet model has a branch graph per stream: architecture.streams is "
                            + spec.streams() + ", branches.branches lists " + b.branches().size());
                }
                graphs.add(b.stem());
                graphs.addAll(b.branches());
                graphs.add(b.head());
            }
        }
        for (String graph : graphs) {
            if (!m.files().containsKey(graph)) {
                problems.add(graph + " is not listed in files, so its sha256 cannot be checked");
            }
        }
        return problems;
    }

    private static void tensorProblems(List<String> problems, String field, TensorSpec tensor,
            List<Long> expectedShape) {
        if (tensor == null || tensor.name() == null || tensor.name().isBlank()) {
            problems.add(field + " is missing or has no name");
            return;
        }
        if (tensor.datatype() != Datatype.FP32) {
            problems.add(field + " datatype is " + (tensor.datatype() == null ? "missing or unknown"
                    : tensor.datatype()) + ", a trainer-made model is FP32");
        }
        if (!expectedShape.equals(tensor.shape())) {
            problems.add(field + " shape is " + tensor.shape() + ", the architecture says " + expectedShape);
        }
    }

    /** @param shown {@code directory} as messages name it */
    private static void checkSha256(Path directory, Path shown, String relativePath, String expectedHex)
            throws ModelVersionException {
        Path file = directory.resolve(relativePath).normalize();
        if (!file.startsWith(directory.normalize())) {
            throw new ModelVersionException(shown + ": files lists " + relativePath
                    + ", which is outside the version folder; list only the folder's own files");
        }
        Path shownFile = shown.resolve(relativePath);
        String actual;
        try {
            actual = Sha256.ofFile(file);
        } catch (NoSuchFileException e) {
            throw new ModelVersionException(shownFile + " is missing (model.json lists it); copy the whole version"
                    + " folder the trainer wrote");
        } catch (IOException e) {
            throw new ModelVersionException(shownFile + " cannot be read (" + e.getClass().getSimpleName()
                    + "); check its permissions", e);
        }
        if (!actual.equalsIgnoreCase(expectedHex)) {
            throw new ModelVersionException(shownFile + ": sha256 is " + actual + " but model.json lists " + expectedHex
                    + "; the file changed after export: restore it or re-export the model");
        }
    }

    private static List<Path> subdirectories(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** The version a folder name gives: a positive integer of at most 9 digits; -1 for any other name. */
    public static int versionNumber(String text) {
        if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(text);
    }

    private static String quoted(String value) {
        return value == null ? "missing" : "\"" + value + "\"";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
