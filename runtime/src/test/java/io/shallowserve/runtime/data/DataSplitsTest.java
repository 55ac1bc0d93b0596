package io.shallowserve.runtime.data;

import static io.shallowserve.runtime.data.TestFiles.cifarRecords;
import static io.shallowserve.runtime.data.TestFiles.gzip;
import static io.shallowserve.runtime.data.TestFiles.idxImages;
import static io.shallowserve.runtime.data.TestFiles.idxLabels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSplitsTest {

    @TempDir
    Path dir;

    @Test
    void load_publishedGzipFiles_readsTrainAndTest() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(idxImages(3, 28, 28)));
        write("train-labels-idx1-ubyte.gz", gzip(idxLabels(5, 0, 4)));
        write("t10k-images-idx3-ubyte.gz", gzip(idxImages(2, 28, 28)));
        write("t10k-labels-idx1-ubyte.gz", gzip(idxLabels(7, 2)));

        DataSplits splits = DataSplits.load(DatasetKind.MNIST, dir);

        assertThat(splits.kind()).isEqualTo(DatasetKind.MNIST);
        assertThat(splits.train().name()).isEqualTo("mnist/train");
        assertThat(splits.train().labels()).containsExactly(5, 0, 4);
        assertThat(splits.test().name()).isEqualTo("mnist/test");
        assertThat(splits.test().labels()).containsExactly(7, 2);
        assertThat(splits.test().classNames()).isEqualTo(DatasetKind.MNIST.classNames());
    }

    @Test
    void load_unpackedFiles_areReadUnderTheirNamesWithoutGz() throws IOException {
        write("train-images-idx3-ubyte", idxImages(3, 28, 28));
        write("train-labels-idx1-ubyte", idxLabels(9, 0, 0));
        write("t10k-images-idx3-ubyte", idxImages(1, 28, 28));
        write("t10k-labels-idx1-ubyte", idxLabels(9));

        DataSplits splits = DataSplits.load(DatasetKind.FASHION_MNIST, dir);

        assertThat(splits.train().size()).isEqualTo(3);
        assertThat(splits.test().size()).isEqualTo(1);
        assertThat(splits.train().classNames().get(splits.train().labels()[0])).isEqualTo("Ankle boot");
    }

    @Test
    void load_cifarBatches_readsFiveTrainBatchesAndTheTestBatch() throws IOException {
        for (int batch = 1; batch <= 5; batch++) {
            write("data_batch_" + batch + ".bin", cifarRecords(batch, 0));
        }
        write("test_batch.bin", cifarRecords(3));

        DataSplits splits = DataSplits.load(DatasetKind.CIFAR10, dir);

        assertThat(splits.train().name()).isEqualTo("cifar10/train");
        assertThat(splits.train().labels()).containsExactly(1, 0, 2, 0, 3, 0, 4, 0, 5, 0);
        assertThat(splits.test().labels()).containsExactly(3);
        assertThat(splits.test().classNames().get(3)).isEqualTo("cat");
    }

    @Test
    void load_imagesOfAnotherSize_namesFileAndBothSizes() throws IOException {
        Path trainImages = write("train-images-idx3-ubyte.gz", gzip(idxImages(1, 32, 32)));
        write("train-labels-idx1-ubyte.gz", gzip(idxLabels(1)));
        write("t10k-images-idx3-ubyte.gz", gzip(idxImages(1, 32, 32)));
        write("t10k-labels-idx1-ubyte.gz", gzip(idxLabels(1)));

        assertThatThrownBy(() -> DataSplits.load(DatasetKind.MNIST, dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(trainImages.toString())
                .hasMessageContaining("images are 1x32x32, but MNIST images are 1x28x28");
    }

    @Test
    void load_folderLackingAFile_namesFolderAndFile() throws IOException {
        write("train-images-idx3-ubyte.gz", gzip(idxImages(1, 28, 28)));
        write("train-labels-idx1-ubyte.gz", gzip(idxLabels(1)));
        write("t10k-images-idx3-ubyte.gz", gzip(idxImages(1, 28, 28)));

        assertThatThrownBy(() -> DataSplits.load(DatasetKind.MNIST, dir))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessage(dir + ": no MNIST files [t10k-labels-idx1-ubyte.gz]");
    }

    private Path write(String fileName, byte[] content) throws IOException {
        return Files.write(dir.resolve(fileName), content);
    }
}
