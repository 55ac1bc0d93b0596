package io.shallowserve.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetKindTest {

    @Test
    void fromId_knownIds_giveTheirKinds() {
        assertThat(DatasetKind.fromId("fashion-mnist")).isEqualTo(DatasetKind.FASHION_MNIST);
        assertThat(DatasetKind.fromId("MNIST")).isEqualTo(DatasetKind.MNIST);
        assertThat(DatasetKind.fromId("cifar10")).isEqualTo(DatasetKind.CIFAR10);
    }

    @Test
    void fromId_unknownId_listsTheKnownOnes() {
        assertThatThrownBy(() -> DatasetKind.fromId("imagenet"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown data set 'imagenet', expected one of [fashion-mnist, mnist, cifar10]");
    }

    @Test
    void classNames_areTheOfficialOnesInLabelOrder() {
        assertThat(DatasetKind.FASHION_MNIST.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover",
                "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(DatasetKind.MNIST.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(DatasetKind.CIFAR10.classNames()).hasSize(10).startsWith("airplane").endsWith("truck");
    }

    @Test
    void downloadUrls_pointAtTheOfficialFiles() {
        assertThat(DatasetKind.FASHION_MNIST.downloadUrls()).containsExactly(
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz",
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz",
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz",
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz");
        assertThat(DatasetKind.MNIST.downloadUrls())
                .allMatch(url -> url.startsWith("https://ossci-datasets.s3.amazonaws.com/mnist/"))
                .hasSize(4);
        assertThat(DatasetKind.CIFAR10.downloadUrls())
                .containsExactly("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz");
    }

    @Test
    void allFiles_listsTrainThenTestFiles() {
        assertThat(DatasetKind.CIFAR10.allFiles()).containsExactly("data_batch_1.bin", "data_batch_2.bin",
                "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin");
        assertThat(DatasetKind.MNIST.allFiles()).containsExactly("train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");
    }

    @Test
    void systemFolderAndPackage_onlyWhereDebianHasThem() {
        assertThat(DatasetKind.FASHION_MNIST.systemFolderName()).contains("fashion-mnist");
        assertThat(DatasetKind.FASHION_MNIST.debianPackage()).contains("dataset-fashion-mnist");
        assertThat(DatasetKind.MNIST.systemFolderName()).contains("mnist");
        assertThat(DatasetKind.CIFAR10.systemFolderName()).isEmpty();
        assertThat(DatasetKind.CIFAR10.debianPackage()).isEmpty();
    }
}
