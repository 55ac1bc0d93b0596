package io.shallowserve.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The official train and test splits of one data set.
 *
 * @param kind  which data set
 * @param train the training split (60000 images for MNIST and Fashion-MNIST, 50000 for CIFAR-10)
 * @param test  the test split (10000 images)
 */
public record DataSplits(DatasetKind kind, ImageDataset train, ImageDataset test) {

    public DataSplits {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }

    /**
     * Reads both splits of {@code kind} from {@code folder}, the folder that holds its files (as
     * {@link DataLocator#locate} returns it).
     *
     * @throws DataNotFoundException if {@code folder} lacks any of the files
     * @throws DataFormatException   if a file is damaged, or holds images of another size than {@code kind}'s
     */
    public static DataSplits load(DatasetKind kind, Path folder) throws IOException {
        List<String> missing = kind.missingFilesIn(folder);
        if (!missing.isEmpty()) {
            throw new DataNotFoundException(folder + ": no " + kind.displayName() + " files " + missing);
        }
        ImageDataset train = read(kind, folder, kind.trainFiles(), kind.id() + "/train");
        ImageDataset test = read(kind, folder, kind.testFiles(), kind.id() + "/test");
        return new DataSplits(kind, train, test);
    }

    private static ImageDataset read(DatasetKind kind, Path folder, List<String> fileNames, String name)
            throws IOException {
        List<Path> files = new ArrayList<>();
        for (String fileName : fileNames) {
            files.add(kind.fileIn(folder, fileName).orElseThrow());
        }
        ImageDataset data = switch (kind) {
            // IDX splits list the images file, then the labels file.
            case FASHION_MNIST, MNIST -> IdxReader.read(name, files.get(0), files.get(1), kind.classNames());
            case CIFAR10 -> Cifar10Reader.read(name, files);
        };
        // A well-formed file of another data set (say, 32x32 IDX images) must not pass for this one.
        if (data.channels() != kind.channels() || data.height() != kind.height() || data.width() != kind.width()) {
            throw new DataFormatException(files.get(0), "images are " + data.channels() + "x" + data.height() + "x"
                    + data.width() + ", but " + kind.displayName() + " images are " + kind.channels() + "x"
                    + kind.height() + "x" + kind.width());
        }
        return data;
    }
}
