package io.shallowserve.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds the folder that holds a data set's files, in this order:
 *
 * <ol>
 *   <li>the folder given with {@code --data DIR}: when given, it must hold the data, and nothing else is
 *       searched, since a silently different data set would be worse than an error;
 *   <li>the folder named by the environment variable {@code SHALLOWSERVE_DATA};
 *   <li>the folder a Debian package installs to, e.g. {@code /usr/share/datasets/fashion-mnist} (none for
 *       CIFAR-10).
 * </ol>
 *
 * Each of these folders may hold the files itself or in a subfolder named by the data set's id (e.g.
 * {@code fashion-mnist/}) or, for CIFAR-10, {@code cifar-10-batches-bin/}; so one {@code SHALLOWSERVE_DATA}
 * folder can hold every data set. When none holds them all, {@link DataNotFoundException} lists every folder
 * looked in, what it lacked, and how to get the data.
 */
public final class DataLocator {

    public static final String ENVIRONMENT_VARIABLE = "SHALLOWSERVE_DATA";
    public static final Path SYSTEM_DATASETS = Path.of("/usr/share/datasets");

    private final Function<String, String> environment;
    private final Path systemDatasets;

    /**
     * @param environment    looks up an environment variable, null when unset ({@code System::getenv}; a map's
     *                       {@code get} in tests)
     * @param systemDatasets the folder Debian packages install data sets to ({@link #SYSTEM_DATASETS})
     */
    public DataLocator(Function<String, String> environment, Path systemDatasets) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.systemDatasets = Objects.requireNonNull(systemDatasets, "systemDatasets");
    }

    /** Looks in the real environment and {@code /usr/share/datasets}. */
    public static DataLocator fromSystem() {
        return new DataLocator(System::getenv, SYSTEM_DATASETS);
    }

    /**
     * The folder that holds every file of {@code kind}, for {@link DataSplits#load}.
     *
     * @param explicitFolder the {@code --data} folder, or null when none was given
     * @throws DataNotFoundException if no folder searched holds all files; it says where it looked and how to
     *                               get the data
     */
    public Path locate(DatasetKind kind, Path explicitFolder) throws DataNotFoundException {
        List<String> lookedIn = new ArrayList<>();
        if (explicitFolder != null) {
            Optional<Path> found = search(kind, explicitFolder, "--data", lookedIn);
            if (found.isPresent()) {
                return found.get();
            }
            throw notFound(kind, lookedIn, "--data was given, so no other place was searched.");
        }
        String fromEnvironment = environment.apply(ENVIRONMENT_VARIABLE);
        if (fromEnvironment == null || fromEnvironment.isBlank()) {
            lookedIn.add("$" + ENVIRONMENT_VARIABLE + ": not set");
        } else {
            Optional<Path> found = search(kind, Path.of(fromEnvironment), "$" + ENVIRONMENT_VARIABLE, lookedIn);
            if (found.isPresent()) {
                return found.get();
            }
        }
        if (kind.systemFolderName().isPresent()) {
            String source = kind.debianPackage().map(name -> "Debian package " + name).orElse("system folder");
            Optional<Path> found = search(
                    kind, systemDatasets.resolve(kind.systemFolderName().get()), source, lookedIn);
            if (found.isPresent()) {
                return found.get();
            }
        } else {
            lookedIn.add("(no system-wide folder: no Debian package installs " + kind.displayName() + ")");
        }
        throw notFound(kind, lookedIn, null);
    }

    /** {@code folder} or one of its subfolders for {@code kind}, whichever holds all files; notes each miss. */
    private static Optional<Path> search(DatasetKind kind, Path folder, String source, List<String> lookedIn) {
        if (!Files.isDirectory(folder)) {
            lookedIn.add(folder + " (" + source + "): " + (Files.exists(folder) ? "not a folder" : "does not exist"));
            return Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(folder);
        for (String subfolder : kind.subfolderNames()) {
            candidates.add(folder.resolve(subfolder));
        }
        for (Path candidate : candidates) {
            if (!Files.isDirectory(candidate)) {
                lookedIn.add(candidate + " (" + source + "): "
                        + (Files.exists(candidate) ? "not a folder" : "does not exist"));
                continue;
            }
            List<String> missing = kind.missingFilesIn(candidate);
            if (missing.isEmpty()) {
                return Optional.of(candidate);
            }
            lookedIn.add(candidate + " (" + source + "): missing " + String.join(", ", missing));
        }
        return Optional.empty();
    }

    private static DataNotFoundException notFound(DatasetKind kind, List<String> lookedIn, String note) {
        StringBuilder message = new StringBuilder(kind.displayName()).append(" data not found. Looked in:\n");
        for (String place : lookedIn) {
            message.append("  ").append(place).append('\n');
        }
        if (note != null) {
            message.append(note).append('\n');
        }
        message.append("To get it:\n");
        String download = "download the official files into a folder:\n";
        if (kind.debianPackage().isPresent()) {
            message.append("  apt-get install ").append(kind.debianPackage().get())
                    .append("   (Debian/Ubuntu; installs to ")
                    .append(SYSTEM_DATASETS.resolve(kind.systemFolderName().orElseThrow())).append(")\n")
                    .append("  or ").append(download);
        } else {
            message.append("  ").append(download);
        }
        for (String url : kind.downloadUrls()) {
            message.append("    ").append(url).append('\n');
        }
        if (kind == DatasetKind.CIFAR10) {
            message.append("  and unpack it there (tar xzf cifar-10-binary.tar.gz makes cifar-10-batches-bin/),\n");
        }
        message.append("  then pass --data DIR or set ").append(ENVIRONMENT_VARIABLE).append("=DIR.");
        return new DataNotFoundException(message.toString());
    }
}
