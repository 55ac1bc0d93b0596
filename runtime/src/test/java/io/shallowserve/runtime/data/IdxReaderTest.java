package io.shallowserve.runtime.data;

import static io.shallowserve.runtime.data.TestFiles.concat;
import static io.shallowserve.runtime.data.TestFiles.countingBytes;
import static io.shallowserve.runtime.data.TestFiles.gzip;
import static io.shallowserve.runtime.data.TestFiles.idxImages;
import static io.shallowserve.runtime.data.TestFiles.idxLabels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static final List<String> DIGITS = DatasetKind.MNIST.classNames();

    @TempDir
    Path dir;

    @Test
    void read_rawFiles_roundTrip() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        ImageDataset data = IdxReader.read("tiny", images, labels, DIGITS);

        assertThat(data.name()).isEqualTo("tiny");
        assertThat(data.size()).isEqualTo(3);
        assertThat(data.channels()).isEqualTo(1);
        assertThat(data.height()).isEqualTo(2);
        assertThat(data.width()).isEqualTo(4);
        assertThat(data.pixels()).isEqualTo(countingBytes(3 * 2 * 4));
        assertThat(data.labels()).containsExactly(0, 9, 4);
        assertThat(data.classNames()).isEqualTo(DIGITS);
    }

    @Test
    void read_gzipFiles_roundTrip() throws IOException {
        Path images = write("images-idx3-ubyte.gz", gzip(idxImages(3, 2, 4)));
        Path labels = write("labels-idx1-ubyte.gz", gzip(idxLabels(0, 9, 4)));

        ImageDataset data = IdxReader.read("tiny", images, labels, DIGITS);

        assertThat(data.pixels()).isEqualTo(countingBytes(3 * 2 * 4));
        assertThat(data.labels()).containsExactly(0, 9, 4);
    }

    @Test
    void read_gzipContentWithoutGzName_isInflated() throws IOException {
        Path images = write("images-idx3-ubyte", gzip(idxImages(3, 2, 4)));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        ImageDataset data = IdxReader.read("tiny", images, labels, DIGITS);

        assertThat(data.pixels()).isEqualTo(countingBytes(3 * 2 * 4));
    }

    @Test
    void read_wrongImagesMagic_namesFileAndBothMagicNumbers() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(0x00000804, 3, 2, 4, countingBytes(24)));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("bad magic number 0x00000804, expected 0x00000803");
    }

    @Test
    void read_swappedImagesAndLabels_saysWhichKindOfFileItIs() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", labels, images, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("bad magic number 0x00000803, expected 0x00000801")
                .hasMessageContaining("this is an IDX images file, not a labels file");
    }

    @Test
    void read_truncatedImagesFile_namesFileAndMissingBytes() throws IOException {
        byte[] whole = idxImages(3, 2, 4);
        Path images = write("images-idx3-ubyte", Arrays.copyOf(whole, whole.length - 5));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("declared 3 images but file holds 2 (19 of the 24 bytes that follow the header)");
    }

    @Test
    void read_truncatedGzipFile_saysTheGzipDataEndsEarly() throws IOException {
        byte[] compressed = gzip(idxImages(3, 2, 4));
        Path images = write("images-idx3-ubyte.gz", Arrays.copyOf(compressed, compressed.length - 12));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("gzip data ends early");
    }

    @Test
    void read_corruptGzipData_saysTheGzipDataIsCorrupt() throws IOException {
        byte[] compressed = gzip(idxImages(3, 2, 4));
        // Bytes 0-9 are the gzip header; the deflate stream after it becomes an invalid block type.
        Arrays.fill(compressed, 10, compressed.length - 8, (byte) 0xff);
        Path images = write("images-idx3-ubyte.gz", compressed);
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("gzip data is corrupt");
    }

    @Test
    void read_truncatedHeader_namesFileAndHeaderLength() throws IOException {
        Path images = write("images-idx3-ubyte", Arrays.copyOf(idxImages(3, 2, 4), 10));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("truncated IDX images header: 10 of 16 bytes");
    }

    @Test
    void read_trailingBytesAfterImages_isAnError() throws IOException {
        Path images = write("images-idx3-ubyte.gz", gzip(concat(idxImages(3, 2, 4), (byte) 7, (byte) 7)));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("2 trailing bytes after the 3 declared images");
    }

    @Test
    void read_trailingBytesAfterLabels_isAnError() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", concat(idxLabels(0, 9, 4), (byte) 1));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("1 trailing bytes after the 3 declared labels");
    }

    @Test
    void read_imageAndLabelCountsDiffer_namesBothFilesAndCounts() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("images-idx3-ubyte")
                .hasMessageContaining("image and label files disagree on count (3 vs 2)");
    }

    @Test
    void read_labelOutOfRange_namesFileLabelAndIndex() throws IOException {
        Path images = write("images-idx3-ubyte", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 12, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(labels.toString())
                .hasMessageContaining("label 12 at index 1 out of range 0..9");
    }

    @Test
    void read_gzNameOnRawFile_saysItIsNotGzip() throws IOException {
        Path images = write("images-idx3-ubyte.gz", idxImages(3, 2, 4));
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(images.toString())
                .hasMessageContaining("file is not gzip though named .gz: it starts with 0x00 0x00");
    }

    @Test
    void read_emptyFile_saysItIsEmpty() throws IOException {
        Path images = write("images-idx3-ubyte.gz", new byte[0]);
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(images + ": file is empty");
    }

    @Test
    void read_missingFile_namesIt() throws IOException {
        Path images = dir.resolve("no-such-images-idx3-ubyte.gz");
        Path labels = write("labels-idx1-ubyte", idxLabels(0, 9, 4));

        assertThatThrownBy(() -> IdxReader.read("tiny", images, labels, DIGITS))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessage(images + ": no such file");
    }

    private Path write(String fileName, byte[] content) throws IOException {
        return Files.write(dir.resolve(fileName), content);
    }
}
