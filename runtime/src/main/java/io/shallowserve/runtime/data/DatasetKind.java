package io.shallowserve.runtime.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The data sets this project trains on: what their files are called, what their classes are, and where a
 * machine with internet gets them.
 */
public enum DatasetKind {
    FASHION_MNIST(
            "fashion-mnist",
            "Fashion-MNIST",
            1, 28, 28,
            List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
            List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
            idxUrls("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
            "fashion-mnist",
            "dataset-fashion-mnist",
            List.of("fashion-mnist")),
    MNIST(
            "mnist",
            "MNIST",
            1, 28, 28,
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
            List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
            List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
            idxUrls("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            "mnist",
            null,
            List.of("mnist")),
    CIFAR10(
            "cifar10",
            "CIFAR-10",
            3, 32, 32,
            List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                    "data_batch_5.bin"),
            List.of("test_batch.bin"),
            List.of("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"),
            null,
            null,
            // The official archive unpacks to cifar-10-batches-bin/.
            List.of("cifar10", "cifar-10-batches-bin"));

    private static final String GZIP_SUFFIX = ".gz";

    private final String id;
    private final String displayName;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;
    private final List<String> trainFiles;
    private final List<String> testFiles;
    private final List<String> downloadUrls;
    private final String systemFolderName;
    private final String debianPackage;
    private final List<String> subfolderNames;

    DatasetKind(
            String id,
            String displayName,
            int channels,
            int height,
            int width,
            List<String> classNames,
            List<String> trainFiles,
            List<String> testFiles,
            List<String> downloadUrls,
            String systemFolderName,
            String debianPackage,
            List<String> subfolderNames) {
        this.id = id;
        this.displayName = displayName;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classNames = classNames;
        this.trainFiles = trainFiles;
        this.testFiles = testFiles;
        this.downloadUrls = downloadUrls;
        this.systemFolderName = systemFolderName;
        this.debianPackage = debianPackage;
        this.subfolderNames = subfolderNames;
    }

    /** The kind whose {@link #id()} is {@code id}, e.g. from a {@code --dataset} option. */
    public static DatasetKind fromId(String id) {
        for (DatasetKind kind : values()) {
            if (kind.id.equals(id.toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        List<String> known = Arrays.stream(values()).map(DatasetKind::id).toList();
        throw new IllegalArgumentException("unknown data set '" + id + "', expected one of " + known);
    }

    /** Lower-case name for options, folders, model names and model.json: {@code fashion-mnist}. */
    public String id() {
        return id;
    }

    /** The name people write: {@code Fashion-MNIST}. */
    public String displayName() {
        return displayName;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Class names in label order. */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * The training split's file names. For IDX data sets: the images file, then the labels file, named as
     * published ({@code .gz}); the unpacked file without {@code .gz} is accepted too.
     */
    public List<String> trainFiles() {
        return trainFiles;
    }

    /** The test split's file names, listed as {@link #trainFiles()} are. */
    public List<String> testFiles() {
        return testFiles;
    }

    /** Train files, then test files. */
    public List<String> allFiles() {
        List<String> all = new ArrayList<>(trainFiles);
        all.addAll(testFiles);
        return all;
    }

    /**
     * Where the official files are published. For IDX data sets one URL per file of {@link #allFiles()};
     * for CIFAR-10 the one archive that unpacks to {@code cifar-10-batches-bin/}.
     */
    public List<String> downloadUrls() {
        return downloadUrls;
    }

    /** The folder under {@code /usr/share/datasets} a Debian package installs this data set to, if any. */
    public Optional<String> systemFolderName() {
        return Optional.ofNullable(systemFolderName);
    }

    /** The Debian/Ubuntu package that installs this data set, if there is one. */
    public Optional<String> debianPackage() {
        return Optional.ofNullable(debianPackage);
    }

    /** Subfolders a data folder may keep this data set in: its id, and for CIFAR-10 the archive's folder. */
    public List<String> subfolderNames() {
        return subfolderNames;
    }

    /**
     * The file {@code fileName} in {@code folder}: as published, or, for a {@code .gz} name, already
     * unpacked (some tools keep only the unpacked IDX files).
     */
    Optional<Path> fileIn(Path folder, String fileName) {
        Path published = folder.resolve(fileName);
        if (Files.isRegularFile(published)) {
            return Optional.of(published);
        }
        if (fileName.endsWith(GZIP_SUFFIX)) {
            Path unpacked = folder.resolve(fileName.substring(0, fileName.length() - GZIP_SUFFIX.length()));
            if (Files.isRegularFile(unpacked)) {
                return Optional.of(unpacked);
            }
        }
        return Optional.empty();
    }

    /** Names of the files of this data set that {@code folder} lacks; empty when it holds them all. */
    List<String> missingFilesIn(Path folder) {
        List<String> missing = new ArrayList<>();
        for (String fileName : allFiles()) {
            if (fileIn(folder, fileName).isEmpty()) {
                missing.add(fileName);
            }
        }
        return missing;
    }

    private static List<String> idxUrls(String base) {
        return List.of(
                base + "train-images-idx3-ubyte.gz",
                base + "train-labels-idx1-ubyte.gz",
                base + "t10k-images-idx3-ubyte.gz",
                base + "t10k-labels-idx1-ubyte.gz");
    }
}
