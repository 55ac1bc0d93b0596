package io.shallowserve.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST, gzip-compressed or not.
 *
 * <pre>
 * images: int32 magic 0x00000803, int32 count, int32 rows, int32 columns, then count*rows*columns bytes
 * labels: int32 magic 0x00000801, int32 count, then count bytes
 * </pre>
 *
 * All integers are big-endian. The magic number says "unsigned bytes" (0x08) and the number of dimensions
 * (3 or 1). Every check is strict: a file shorter or longer than its header declares is an error, not a
 * smaller or larger data set.
 */
public final class IdxReader {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    private static final int IMAGES_HEADER_BYTES = 16;
    private static final int LABELS_HEADER_BYTES = 8;
    // Large reads: the 47 MB Fashion-MNIST images file then inflates in a few hundred milliseconds.
    private static final int BUFFER_BYTES = 1 << 16;
    // The largest byte[] every JVM allocates.
    private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /**
     * Reads an images file and its labels file into one data set of grey (one-channel) images.
     *
     * @param name       the data set's name, e.g. {@code fashion-mnist/train}
     * @param classNames class names in label order; every label must index one
     * @throws DataFormatException   if either file is not what its header promises, a label is out of range,
     *                               or the two files disagree on the number of images
     * @throws DataNotFoundException if either file does not exist
     */
    public static ImageDataset read(String name, Path imagesFile, Path labelsFile, List<String> classNames)
            throws IOException {
        int[] labels = readLabels(labelsFile, classNames.size());
        GreyImages images = readImages(imagesFile);
        if (images.count() != labels.length) {
            throw new DataFormatException(labelsFile, "image and label files disagree on count ("
                    + images.count() + " vs " + labels.length + "): " + imagesFile.getFileName() + " holds "
                    + images.count() + " images, this file " + labels.length + " labels");
        }
        return new ImageDataset(name, 1, images.rows(), images.columns(), images.pixels(), labels, classNames);
    }

    /** Pixels of {@code count} one-channel images, each rows x columns bytes, image after image. */
    public record GreyImages(int count, int rows, int columns, byte[] pixels) {
    }

    /**
     * Reads an images file alone, for what needs no labels (the load generators' requests).
     *
     * @throws DataFormatException   if the file is not what its header promises
     * @throws DataNotFoundException if it does not exist
     */
    public static GreyImages readImages(Path file) throws IOException {
        try (InputStream in = open(file)) {
            ByteBuffer header = readHeader(in, file, IMAGES_HEADER_BYTES, "images");
            checkMagic(file, header.getInt(), IMAGES_MAGIC);
            int count = header.getInt();
            int rows = header.getInt();
            int columns = header.getInt();
            if (count < 0) {
                throw new DataFormatException(file, "declared image count " + count + " is negative");
            }
            if (rows < 1 || columns < 1) {
                throw new DataFormatException(file, "declared image size " + rows + "x" + columns
                        + " is not positive");
            }
            byte[] pixels = readBody(in, file, count, (long) rows * columns, "images");
            return new GreyImages(count, rows, columns, pixels);
        } catch (EOFException | ZipException e) {
            throw damagedGzip(file, e);
        }
    }

    private static int[] readLabels(Path file, int classCount) throws IOException {
        try (InputStream in = open(file)) {
            ByteBuffer header = readHeader(in, file, LABELS_HEADER_BYTES, "labels");
            checkMagic(file, header.getInt(), LABELS_MAGIC);
            int count = header.getInt();
            if (count < 0) {
                throw new DataFormatException(file, "declared label count " + count + " is negative");
            }
            byte[] bytes = readBody(in, file, count, 1, "labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xff;
                if (labels[i] >= classCount) {
                    throw new DataFormatException(file, "label " + labels[i] + " at index " + i
                            + " out of range 0.." + (classCount - 1));
                }
            }
            return labels;
        } catch (EOFException | ZipException e) {
            throw damagedGzip(file, e);
        }
    }

    /**
     * Opens {@code file}, inflating it when it is gzip. The content decides (gzip starts with 1f 8b, IDX
     * with 00 00, so the two cannot be confused); a {@code .gz} name on a file that is not gzip means a
     * wrong or damaged download, so it is refused rather than read as raw IDX.
     */
    private static InputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw DataNotFoundException.missingFile(file);
        }
        BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
        try {
            raw.mark(2);
            int first = raw.read();
            int second = raw.read();
            raw.reset();
            if (first < 0) {
                throw new DataFormatException(file, "file is empty");
            }
            boolean gzip = first == 0x1f && second == 0x8b;
            if (!gzip && file.getFileName().toString().endsWith(".gz")) {
                throw new DataFormatException(file, String.format(
                        "file is not gzip though named .gz: it starts with 0x%02x 0x%02x, not 0x1f 0x8b",
                        first, second & 0xff));
            }
            return gzip ? new GZIPInputStream(raw, BUFFER_BYTES) : raw;
        } catch (IOException e) {
            raw.close();
            throw e instanceof ZipException || e instanceof EOFException ? damagedGzip(file, e) : e;
        }
    }

    private static ByteBuffer readHeader(InputStream in, Path file, int headerBytes, String content)
            throws IOException {
        byte[] header = in.readNBytes(headerBytes);
        if (header.length < headerBytes) {
            throw new DataFormatException(file, "truncated IDX " + content + " header: " + header.length + " of "
                    + headerBytes + " bytes");
        }
        return ByteBuffer.wrap(header); // big-endian, as IDX is
    }

    private static void checkMagic(Path file, int magic, int expected) throws DataFormatException {
        if (magic == expected) {
            return;
        }
        String problem = String.format("bad magic number 0x%08x, expected 0x%08x", magic, expected);
        // Swapped images and labels files are the likely mistake; say so.
        if (magic == IMAGES_MAGIC) {
            problem += " (this is an IDX images file, not a labels file)";
        } else if (magic == LABELS_MAGIC) {
            problem += " (this is an IDX labels file, not an images file)";
        }
        throw new DataFormatException(file, problem);
    }

    /** Reads exactly {@code count * recordBytes} bytes and checks that nothing follows them. */
    private static byte[] readBody(InputStream in, Path file, int count, long recordBytes, String records)
            throws IOException {
        long expected = count * recordBytes;
        if (expected > MAX_ARRAY_BYTES) {
            throw new DataFormatException(file, "declares " + count + " " + records + " of " + recordBytes
                    + " bytes, " + expected + " bytes in all, more than one Java array holds");
        }
        byte[] body = new byte[(int) expected];
        int found = in.readNBytes(body, 0, body.length);
        if (found < body.length) {
            throw new DataFormatException(file, "declared " + count + " " + records + " but file holds "
                    + found / recordBytes + " (" + found + " of the " + expected
                    + " bytes that follow the header)");
        }
        long trailing = in.transferTo(OutputStream.nullOutputStream());
        if (trailing > 0) {
            throw new DataFormatException(file, trailing + " trailing bytes after the " + count + " declared "
                    + records);
        }
        return body;
    }

    private static DataFormatException damagedGzip(Path file, IOException cause) {
        String problem = cause instanceof EOFException
                ? "gzip data ends early, the file is cut short (" + cause.getMessage() + ")"
                : "gzip data is corrupt (" + cause.getMessage() + ")";
        return new DataFormatException(file, problem, cause);
    }
}
