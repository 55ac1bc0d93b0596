package io.shallowserve.server.it;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Checksum;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * Compressed bodies as Python's gzip and zlib modules make them (what tritonclient sends), decompression bombs, and
 * the decoding of compressed answers as tritonclient does it.
 */
final class CompressedBodies {

    /** Python's gzip.compress level, and its header's XFL for it (zlib's "maximum compression"). */
    private static final int GZIP_LEVEL = 9;
    private static final int GZIP_XFL_BEST = 2;
    /** Python's gzip header says "unknown" for the operating system. */
    private static final int GZIP_OS_UNKNOWN = 255;
    private static final int MIB = 1 << 20;

    private CompressedBodies() {
    }

    /**
     * {@code data} as Python's {@code gzip.compress(data, mtime=mtime)} makes it (CPython 3.11+ Lib/gzip.py,
     * compress and _create_simple_gzip_header): a 10-byte header (1f 8b, CM 8, no flags, mtime, XFL 2, OS 255), raw
     * deflate at level 9, then the CRC-32 and the length, little-endian.
     */
    static byte[] gzip(byte[] data, int mtime) {
        Deflater deflater = new Deflater(GZIP_LEVEL, true);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(gzipHeader(mtime));
        deflater.setInput(data);
        finish(deflater, body);
        CRC32 crc = new CRC32();
        crc.update(data);
        body.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue()).putInt(data.length).array());
        return body.toByteArray();
    }

    /** {@code data} as Python's {@code zlib.compress(data)} makes it: the zlib format at zlib's default level. */
    static byte[] zlib(byte[] data) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(body)) {
            zlib.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.toByteArray();
    }

    /**
     * A gzip body of {@code prefix} followed by {@code zeros} zero bytes, made without compressing them all: each MiB
     * of zeros is one deflate block, compressed once and repeated (a full flush before and after each makes every copy
     * independent of what precedes it). About a thousandth of what it decompresses to.
     */
    static byte[] gzipBomb(byte[] prefix, long zeros) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(gzipHeader(0));
        CRC32 crc = new CRC32();
        deflateWithZeros(prefix, zeros, body, crc);
        body.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) crc.getValue()).putInt((int) (prefix.length + zeros)).array());
        return body.toByteArray();
    }

    /** {@link #gzipBomb} in the zlib format (Content-Encoding and grpc-encoding deflate). */
    static byte[] zlibBomb(byte[] prefix, long zeros) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        // CMF: deflate with a 32 KiB window; FLG: level "maximum", and check bits: (CMF * 256 + FLG) % 31 == 0.
        body.write(0x78);
        body.write(0xda);
        Adler32 adler = new Adler32();
        deflateWithZeros(prefix, zeros, body, adler);
        body.writeBytes(ByteBuffer.allocate(4).putInt((int) adler.getValue()).array());
        return body.toByteArray();
    }

    /** The body of a response as tritonclient.http reads it: gunzipped or inflated (zlib) by its Content-Encoding. */
    static byte[] decoded(byte[] body, String contentEncoding) {
        try (InputStream in = switch (contentEncoding) {
            case "gzip" -> new GZIPInputStream(new ByteArrayInputStream(body));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(body));
            default -> throw new IllegalArgumentException("Content-Encoding " + contentEncoding);
        }) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzipHeader(int mtime) {
        return ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0x1f).put((byte) 0x8b).put((byte) Deflater.DEFLATED).put((byte) 0)
                .putInt(mtime).put((byte) GZIP_XFL_BEST).put((byte) GZIP_OS_UNKNOWN).array();
    }

    /** Raw deflate of {@code prefix} and {@code zeros} zero bytes into {@code out}, summing them in {@code check}. */
    private static void deflateWithZeros(byte[] prefix, long zeros, ByteArrayOutputStream out, Checksum check) {
        byte[] mib = new byte[MIB];
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(prefix);
        flush(deflater, out);
        check.update(prefix);
        deflater.setInput(mib);
        ByteArrayOutputStream compressedMib = new ByteArrayOutputStream();
        flush(deflater, compressedMib);
        byte[] block = compressedMib.toByteArray();
        for (long i = 0; i < zeros / MIB; i++) {
            out.writeBytes(block);
            check.update(mib);
        }
        int rest = (int) (zeros % MIB);
        deflater.setInput(mib, 0, rest);
        flush(deflater, out);
        check.update(mib, 0, rest);
        finish(deflater, out);
    }

    /** Deflates the deflater's input and ends with a full flush: byte-aligned, and no reference to what came before. */
    private static void flush(Deflater deflater, ByteArrayOutputStream out) {
        byte[] buffer = new byte[64 * 1024];
        int count;
        do {
            count = deflater.deflate(buffer, 0, buffer.length, Deflater.FULL_FLUSH);
            out.write(buffer, 0, count);
        } while (count == buffer.length);
    }

    /** Deflates the rest of the deflater's input and the final block, and frees the deflater. */
    private static void finish(Deflater deflater, ByteArrayOutputStream out) {
        byte[] buffer = new byte[64 * 1024];
        deflater.finish();
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
    }
}
