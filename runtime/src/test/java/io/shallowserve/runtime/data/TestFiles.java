package io.shallowserve.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.GZIPOutputStream;

/** Builds the bytes of small IDX and CIFAR-10 files, so tests can write them, whole or damaged. */
final class TestFiles {

    private TestFiles() {
    }

    /** An IDX images file: magic, count, rows, columns, then the pixels as given. */
    static byte[] idxImages(int magic, int count, int rows, int columns, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length)
                .putInt(magic).putInt(count).putInt(rows).putInt(columns).put(pixels)
                .array();
    }

    /** A well-formed IDX images file of {@code count} images whose pixel i is {@code i % 256}. */
    static byte[] idxImages(int count, int rows, int columns) {
        return idxImages(IdxReader.IMAGES_MAGIC, count, rows, columns, countingBytes(count * rows * columns));
    }

    /** An IDX labels file: magic, count, then the labels as given. */
    static byte[] idxLabels(int magic, int count, byte[] labels) {
        return ByteBuffer.allocate(8 + labels.length).putInt(magic).putInt(count).put(labels).array();
    }

    /** A well-formed IDX labels file holding {@code labels}. */
    static byte[] idxLabels(int... labels) {
        byte[] bytes = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            bytes[i] = (byte) labels[i];
        }
        return idxLabels(IdxReader.LABELS_MAGIC, labels.length, bytes);
    }

    /** CIFAR-10 records, one per label; pixel p of record r is {@code (r + p) % 256}. */
    static byte[] cifarRecords(int... labels) {
        ByteBuffer records = ByteBuffer.allocate(labels.length * Cifar10Reader.RECORD_BYTES);
        for (int r = 0; r < labels.length; r++) {
            records.put((byte) labels[r]);
            for (int p = 0; p < Cifar10Reader.IMAGE_BYTES; p++) {
                records.put((byte) (r + p));
            }
        }
        return records.array();
    }

    /** {@code length} bytes 0, 1, 2, ... wrapping at 256. */
    static byte[] countingBytes(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    static byte[] gzip(byte[] content) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(compressed)) {
            out.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return compressed.toByteArray();
    }

    /** {@code bytes} with {@code extra} appended. */
    static byte[] concat(byte[] bytes, byte... extra) {
        return ByteBuffer.allocate(bytes.length + extra.length).put(bytes).put(extra).array();
    }
}
