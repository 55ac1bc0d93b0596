package io.shallowserve.runtime.data;

import static io.shallowserve.runtime.data.TestFiles.cifarRecords;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {

    private static final int IMAGE_BYTES = 3 * 32 * 32;

    @TempDir
    Path dir;

    @Test
    void read_twoBatchFiles_concatenatesRecordsInOrder() throws IOException {
        Path first = write("data_batch_1.bin", cifarRecords(6, 9));
        Path second = write("data_batch_2.bin", cifarRecords(0));

        ImageDataset data = Cifar10Reader.read("cifar10/tiny", List.of(first, second));

        assertThat(data.size()).isEqualTo(3);
        assertThat(data.channels()).isEqualTo(3);
        assertThat(data.height()).isEqualTo(32);
        assertThat(data.width()).isEqualTo(32);
        assertThat(data.labels()).containsExactly(6, 9, 0);
        assertThat(data.classNames()).containsExactly(
                "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
        // The pixels after each label byte, unchanged: record r's pixel p is (r + p) % 256 within its file.
        byte[] batch1 = cifarRecords(6, 9);
        assertThat(Arrays.copyOfRange(data.pixels(), 0, IMAGE_BYTES)).isEqualTo(Arrays.copyOfRange(batch1, 1, 3073));
        assertThat(Arrays.copyOfRange(data.pixels(), IMAGE_BYTES, 2 * IMAGE_BYTES))
                .isEqualTo(Arrays.copyOfRange(batch1, 3074, 6146));
        assertThat(Arrays.copyOfRange(data.pixels(), 2 * IMAGE_BYTES, 3 * IMAGE_BYTES))
                .isEqualTo(Arrays.copyOfRange(cifarRecords(0), 1, 3073));
    }

    @Test
    void read_lengthNotMultipleOfRecord_namesFileAndTruncatedRecordOffset() throws IOException {
        byte[] records = cifarRecords(1, 2, 3);
        Path file = write("test_batch.bin", Arrays.copyOf(records, records.length - 100));

        assertThatThrownBy(() -> Cifar10Reader.read("cifar10/test", List.of(file)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated record at byte 6146")
                .hasMessageContaining("file length 9119 is not a whole multiple of the 3073-byte record");
    }

    @Test
    void read_labelOutOfRange_namesFileRecordAndLabel() throws IOException {
        Path file = write("test_batch.bin", cifarRecords(1, 12, 3));

        assertThatThrownBy(() -> Cifar10Reader.read("cifar10/test", List.of(file)))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("label 12 of record 1 (byte 3073) out of range 0..9");
    }

    @Test
    void read_emptyFile_saysItIsEmpty() throws IOException {
        Path file = write("data_batch_1.bin", new byte[0]);

        assertThatThrownBy(() -> Cifar10Reader.read("cifar10/train", List.of(file)))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(file + ": file is empty");
    }

    @Test
    void read_missingSecondFile_namesIt() throws IOException {
        Path first = write("data_batch_1.bin", cifarRecords(1));
        Path second = dir.resolve("data_batch_2.bin");

        assertThatThrownBy(() -> Cifar10Reader.read("cifar10/train", List.of(first, second)))
                .isInstanceOf(DataNotFoundException.class)
                .hasMessage(second + ": no such file");
    }

    private Path write(String fileName, byte[] content) throws IOException {
        return Files.write(dir.resolve(fileName), content);
    }
}
