package io.shallowserve.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The locator only checks that files exist, so these tests create empty files with the right names; the
 * readers' own tests cover content.
 */
class DataLocatorTest {

    @TempDir
    Path root;

    @Test
    void locate_explicitFolderBeatsEnvironmentAndSystemFolder() throws IOException {
        Path explicit = folderWith(root.resolve("explicit"), DatasetKind.FASHION_MNIST);
        Path fromEnvironment = folderWith(root.resolve("env"), DatasetKind.FASHION_MNIST);
        Path system = root.resolve("system");
        folderWith(system.resolve("fashion-mnist"), DatasetKind.FASHION_MNIST);

        Path found = locator(fromEnvironment, system).locate(DatasetKind.FASHION_MNIST, explicit);

        assertThat(found).isEqualTo(explicit);
    }

    @Test
    void locate_environmentBeatsSystemFolder() throws IOException {
        Path fromEnvironment = folderWith(root.resolve("env"), DatasetKind.FASHION_MNIST);
        Path system = root.resolve("system");
        folderWith(system.resolve("fashion-mnist"), DatasetKind.FASHION_MNIST);

        Path found = locator(fromEnvironment, system).locate(DatasetKind.FASHION_MNIST, null);

        assertThat(found).isEqualTo(fromEnvironment);
    }

    @Test
    void locate_nothingElse_usesSystemFolder() throws IOException {
        Path system = root.resolve("system");
        Path installed = folderWith(system.resolve("mnist"), DatasetKind.MNIST);

        Path found = new DataLocator(Map.<String, String>of()::get, system).locate(DatasetKind.MNIST, null);

        assertThat(found).isEqualTo(installed);
    }

    @Test
    void locate_environmentFolderWithoutThisDataSet_fallsBackToSystemFolder() throws IOException {
        Path fromEnvironment = folderWith(root.resolve("env"), DatasetKind.CIFAR10);
        Path system = root.resolve("system");
        Path installed = folderWith(system.resolve("fashion-mnist"), DatasetKind.FASHION_MNIST);

        Path found = locator(fromEnvironment, system).locate(DatasetKind.FASHION_MNIST, null);

        assertThat(found).isEqualTo(installed);
    }

    @Test
    void locate_subfolderNamedById_isFound() throws IOException {
        Path shared = root.resolve("data");
        Path mnist = folderWith(shared.resolve("mnist"), DatasetKind.MNIST);
        Path fashion = folderWith(shared.resolve("fashion-mnist"), DatasetKind.FASHION_MNIST);
        DataLocator locator = locator(shared, root.resolve("system"));

        assertThat(locator.locate(DatasetKind.MNIST, null)).isEqualTo(mnist);
        assertThat(locator.locate(DatasetKind.FASHION_MNIST, null)).isEqualTo(fashion);
    }

    @Test
    void locate_unpackedCifarArchive_isFoundInItsFolder() throws IOException {
        Path unpacked = folderWith(root.resolve("cifar-10-batches-bin"), DatasetKind.CIFAR10);

        Path found = locator(null, root.resolve("system")).locate(DatasetKind.CIFAR10, root);

        assertThat(found).isEqualTo(unpacked);
    }

    @Test
    void locate_explicitFolderWithoutData_failsRatherThanUsingAnotherFolder() throws IOException {
        Path explicit = Files.createDirectories(root.resolve("explicit"));
        Path fromEnvironment = folderWith(root.resolve("env"), DatasetKind.FASHION_MNIST);

        assertThatThrownBy(() -> locator(fromEnvironment, root.resolve("system"))
                        .locate(DatasetKind.FASHION_MNIST, explicit))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessageContaining(explicit + " (--data): missing train-images-idx3-ubyte.gz, "
                        + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz")
                .hasMessageContaining(explicit.resolve("fashion-mnist") + " (--data): does not exist")
                .hasMessageContaining("--data was given, so no other place was searched.")
                .hasMessageNotContaining(fromEnvironment.toString());
    }

    @Test
    void locate_fashionMnistNowhere_messageListsPlacesAptPackageAndVariable() throws IOException {
        Path fromEnvironment = Files.createDirectories(root.resolve("env"));
        Files.createFile(fromEnvironment.resolve("train-images-idx3-ubyte.gz"));
        Path system = root.resolve("system");

        assertThatThrownBy(() -> locator(fromEnvironment, system).locate(DatasetKind.FASHION_MNIST, null))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessageStartingWith("Fashion-MNIST data not found. Looked in:")
                .hasMessageContaining(fromEnvironment + " ($SHALLOWSERVE_DATA): missing train-labels-idx1-ubyte.gz, "
                        + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz")
                .hasMessageContaining(system.resolve("fashion-mnist")
                        + " (Debian package dataset-fashion-mnist): does not exist")
                .hasMessageContaining("apt-get install dataset-fashion-mnist")
                .hasMessageContaining("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
                        + "train-images-idx3-ubyte.gz")
                .hasMessageContaining("--data DIR")
                .hasMessageContaining("SHALLOWSERVE_DATA=DIR");
    }

    @Test
    void locate_cifarNowhere_messageGivesArchiveUrlAndNoAptPackage() {
        assertThatThrownBy(() -> locator(null, root.resolve("system")).locate(DatasetKind.CIFAR10, null))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessageContaining("$SHALLOWSERVE_DATA: not set")
                .hasMessageContaining("no Debian package installs CIFAR-10")
                .hasMessageContaining("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz")
                .hasMessageContaining("tar xzf cifar-10-binary.tar.gz")
                .hasMessageContaining("SHALLOWSERVE_DATA=DIR")
                .hasMessageNotContaining("apt-get");
    }

    /** A locator whose SHALLOWSERVE_DATA is {@code fromEnvironment} (unset when null). */
    private static DataLocator locator(Path fromEnvironment, Path system) {
        Map<String, String> environment = fromEnvironment == null
                ? Map.of()
                : Map.of(DataLocator.ENVIRONMENT_VARIABLE, fromEnvironment.toString());
        return new DataLocator(environment::get, system);
    }

    /** Creates {@code folder} holding an empty file for each of {@code kind}'s files. */
    private static Path folderWith(Path folder, DatasetKind kind) throws IOException {
        Files.createDirectories(folder);
        for (String fileName : kind.allFiles()) {
            Files.createFile(folder.resolve(fileName));
        }
        return folder;
    }
}
