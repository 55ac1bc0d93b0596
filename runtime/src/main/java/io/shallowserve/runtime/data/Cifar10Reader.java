package io.shallowserve.runtime.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10 binary batches ({@code data_batch_1.bin} .. {@code data_batch_5.bin}, {@code test_batch.bin}).
 *
 * <p>A batch is a run of 3073-byte records without a header: one label byte (0..9), then 3072 pixel bytes,
 * the 1024 red, then the 1024 green, then the 1024 blue values of a 32x32 image, each row-major. That is
 * already channel-major (CHW), so a record's pixels are copied as they are.
 */
public final class Cifar10Reader {

    static final int CHANNELS = 3;
    static final int SIDE = 32;
    static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
    static final int RECORD_BYTES = 1 + IMAGE_BYTES;

    private static final int BUFFER_BYTES = 1 << 16;

    private Cifar10Reader() {
    }

    /**
     * Reads the records of {@code batchFiles}, in order, into one data set.
     *
     * @param name the data set's name, e.g. {@code cifar10/train}
     * @throws DataFormatException   if a file is empty, is not a whole number of records long, or holds a label
     *                               outside 0..9
     * @throws DataNotFoundException if a file does not exist
     */
    public static ImageDataset read(String name, List<Path> batchFiles) throws IOException {
        List<String> classNames = DatasetKind.CIFAR10.classNames();
        // Sizes first: a damaged file is reported before megabytes of others are read, and the arrays are
        // allocated once at their final size.
        int[] recordCounts = new int[batchFiles.size()];
        long totalRecords = 0;
        for (int f = 0; f < batchFiles.size(); f++) {
            recordCounts[f] = recordCount(batchFiles.get(f));
            totalRecords += recordCounts[f];
        }
        if (totalRecords * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": " + totalRecords + " images are more than one Java array"
                    + " holds; read fewer batch files");
        }
        byte[] pixels = new byte[(int) totalRecords * IMAGE_BYTES];
        int[] labels = new int[(int) totalRecords];
        int image = 0;
        byte[] record = new byte[RECORD_BYTES];
        for (int f = 0; f < batchFiles.size(); f++) {
            Path file = batchFiles.get(f);
            int records = recordCounts[f];
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES)) {
                for (int r = 0; r < records; r++) {
                    long offset = (long) r * RECORD_BYTES;
                    if (in.readNBytes(record, 0, RECORD_BYTES) < RECORD_BYTES) {
                        // Only if the file shrank after its length was checked.
                        throw new DataFormatException(file, "truncated record at byte " + offset);
                    }
                    int label = record[0] & 0xff;
                    if (label >= classNames.size()) {
                        throw new DataFormatException(file, "label " + label + " of record " + r + " (byte "
                                + offset + ") out of range 0.." + (classNames.size() - 1));
                    }
                    labels[image] = label;
                    System.arraycopy(record, 1, pixels, image * IMAGE_BYTES, IMAGE_BYTES);
                    image++;
                }
            }
        }
        return new ImageDataset(name, CHANNELS, SIDE, SIDE, pixels, labels, classNames);
    }

    /** The number of records in {@code file}, from its length, which must be a positive whole multiple of 3073. */
    private static int recordCount(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw DataNotFoundException.missingFile(file);
        }
        long length = Files.size(file);
        if (length == 0) {
            throw new DataFormatException(file, "file is empty");
        }
        long wholeRecords = length / RECORD_BYTES;
        long leftOver = length % RECORD_BYTES;
        if (leftOver != 0) {
            throw new DataFormatException(file, "truncated record at byte " + wholeRecords * RECORD_BYTES
                    + ": file length " + length + " is not a whole multiple of the " + RECORD_BYTES
                    + "-byte record (" + wholeRecords + " records, then " + leftOver + " bytes)");
        }
        return Math.toIntExact(wholeRecords);
    }
}
