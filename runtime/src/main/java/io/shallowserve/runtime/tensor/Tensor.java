package io.shallowserve.runtime.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One tensor's values in the layout of the Open Inference Protocol's raw contents: row-major, each element in
 * {@link Datatype#byteSize()} little-endian bytes, a {@link Datatype#BYTES} element as its 4-byte little-endian length
 * and then its bytes. One layout for every protocol and every plan: raw gRPC contents and binary HTTP arrive in it,
 * JSON and typed contents are written into it, batching concatenates it, and ONNX Runtime reads numbers from it as
 * they are.
 *
 * @param raw the values; {@link #layoutProblem} says whether they fit the datatype and shape
 */
public record Tensor(String name, Datatype datatype, long[] shape, byte[] raw) {

    /** An FP32 tensor of {@code values}. */
    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new Tensor(name, Datatype.FP32, shape, bytes.array());
    }

    /** A BYTES tensor of {@code values}, each one element. */
    public static Tensor ofBytes(String name, long[] shape, List<byte[]> values) {
        int size = values.stream().mapToInt(value -> Integer.BYTES + value.length).sum();
        ByteBuffer bytes = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (byte[] value : values) {
            bytes.putInt(value.length).put(value);
        }
        return new Tensor(name, Datatype.BYTES, shape, bytes.array());
    }

    /** A BYTES tensor of {@code values} in UTF-8. */
    public static Tensor ofStrings(String name, long[] shape, List<String> values) {
        return ofBytes(name, shape, values.stream().map(value -> value.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** The number of elements a shape holds: the product of its dimensions (1 for a scalar). */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /**
     * Why {@code raw} cannot hold a tensor of {@code datatype} and {@code shape}, or empty if it can: a negative
     * dimension, a byte count other than elements times the element size, or BYTES elements whose lengths do not add
     * up to the bytes given.
     */
    public static Optional<String> layoutProblem(Datatype datatype, long[] shape, byte[] raw) {
        long elements;
        try {
            if (Arrays.stream(shape).anyMatch(dim -> dim < 0)) {
                return Optional.of("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            elements = elementCount(shape);
        } catch (ArithmeticException e) {
            return Optional.of("shape " + Arrays.toString(shape) + " holds more elements than a tensor can");
        }
        if (datatype != Datatype.BYTES) {
            long expected = elements * datatype.byteSize();
            return expected == raw.length ? Optional.empty() : Optional.of(raw.length + " bytes of " + datatype
                    + " data; shape " + Arrays.toString(shape) + " needs " + elements + " elements of "
                    + datatype.byteSize() + " bytes, " + expected + " bytes");
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        long found = 0;
        while (bytes.hasRemaining()) {
            if (bytes.remaining() < Integer.BYTES) {
                return Optional.of("BYTES data ends inside the 4-byte length of element " + found);
            }
            int length = bytes.getInt();
            if (length < 0 || length > bytes.remaining()) {
                return Optional.of("BYTES element " + found + " gives its length as " + Integer.toUnsignedString(length)
                        + " but " + bytes.remaining() + " bytes follow");
            }
            bytes.position(bytes.position() + length);
            found++;
        }
        return found == elements ? Optional.empty() : Optional.of("BYTES data holds " + found + " elements; shape "
                + Arrays.toString(shape) + " needs " + elements);
    }

    /** The number of elements: the product of the shape. */
    public long elementCount() {
        return elementCount(shape);
    }

    /** The values of an FP32 tensor. */
    public float[] floats() {
        requireType(Datatype.FP32);
        float[] values = new float[raw.length / Float.BYTES];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    /** The elements of a BYTES tensor, in order. */
    public List<byte[]> bytesElements() {
        requireType(Datatype.BYTES);
        List<byte[]> elements = new ArrayList<>();
        ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        while (bytes.hasRemaining()) {
            byte[] element = new byte[bytes.getInt()];
            bytes.get(element);
            elements.add(element);
        }
        return elements;
    }

    /**
     * The elements of a BYTES tensor as strings, each read as UTF-8: bytes that are not UTF-8 become U+FFFD
     * ({@link #firstElementNotUtf8} finds them).
     */
    public List<String> strings() {
        return bytesElements().stream().map(element -> new String(element, StandardCharsets.UTF_8)).toList();
    }

    /**
     * The index of the first element of a BYTES tensor that is not well-formed UTF-8, or empty if every one is: the
     * elements {@link #strings} would change.
     */
    public OptionalInt firstElementNotUtf8() {
        // A decoder of its own reports malformed input, where new String(...) replaces it.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        List<byte[]> elements = bytesElements();
        for (int i = 0; i < elements.size(); i++) {
            try {
                decoder.decode(ByteBuffer.wrap(elements.get(i)));
            } catch (CharacterCodingException e) {
                return OptionalInt.of(i);
            }
        }
        return OptionalInt.empty();
    }

    /**
     * Every element of a numeric tensor as a double, in one pass: how the classification extension ranks any output
     * and JSON writes any number (INT64 and UINT64 beyond 2^53 lose digits; {@link #exactLong} keeps them).
     */
    public double[] numbers() {
        ByteBuffer bytes = littleEndian();
        double[] values = new double[Math.toIntExact(elementCount())];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(bytes, i);
        }
        return values;
    }

    /** Element {@code index} of a numeric tensor as a double, as {@link #numbers()} gives it. */
    public double number(int index) {
        return number(littleEndian(), index);
    }

    private double number(ByteBuffer bytes, int index) {
        int at = index * datatype.byteSize();
        return switch (datatype) {
            case BOOL, UINT8 -> bytes.get(at) & 0xFF;
            case INT8 -> bytes.get(at);
            case UINT16 -> bytes.getShort(at) & 0xFFFF;
            case INT16 -> bytes.getShort(at);
            case UINT32 -> bytes.getInt(at) & 0xFFFFFFFFL;
            case INT32 -> bytes.getInt(at);
            case UINT64 -> unsignedToDouble(bytes.getLong(at));
            case INT64 -> bytes.getLong(at);
            case FP16 -> Float.float16ToFloat(bytes.getShort(at));
            case FP32 -> bytes.getFloat(at);
            case FP64 -> bytes.getDouble(at);
            case BYTES -> throw new IllegalStateException("tensor " + name + " is BYTES, not numbers");
        };
    }

    private ByteBuffer littleEndian() {
        return ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Element {@code index} of an INT64 or UINT64 tensor, exactly, as the protocol's JSON writes it. */
    public String exactLong(int index) {
        long value = littleEndian().getLong(index * Long.BYTES);
        return datatype == Datatype.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) of the first dimension, a tensor of their own. */
    public Tensor rows(int from, int to) {
        long[] part = shape.clone();
        part[0] = to - from;
        long rowElements = shape[0] == 0 ? 0 : elementCount() / shape[0];
        int start = byteOffset(from * rowElements);
        int end = byteOffset(to * rowElements);
        return new Tensor(name, datatype, part, Arrays.copyOfRange(raw, start, end));
    }

    /** Tensors of one name, datatype and row shape, one after the other along the first dimension. */
    public static Tensor concatenateRows(List<Tensor> parts) {
        Tensor first = parts.getFirst();
        if (parts.size() == 1) {
            return first;
        }
        long[] shape = first.shape.clone();
        shape[0] = parts.stream().mapToLong(part -> part.shape[0]).sum();
        byte[] raw = new byte[parts.stream().mapToInt(part -> part.raw.length).sum()];
        int at = 0;
        for (Tensor part : parts) {
            System.arraycopy(part.raw, 0, raw, at, part.raw.length);
            at += part.raw.length;
        }
        return new Tensor(first.name, first.datatype, shape, raw);
    }

    /** Where element {@code element} starts in {@link #raw}. */
    private int byteOffset(long element) {
        if (datatype != Datatype.BYTES) {
            return Math.toIntExact(element * datatype.byteSize());
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        for (long skipped = 0; skipped < element; skipped++) {
            bytes.position(bytes.position() + Integer.BYTES + bytes.getInt(bytes.position()));
        }
        return bytes.position();
    }

    private void requireType(Datatype expected) {
        if (datatype != expected) {
            throw new IllegalStateException("tensor " + name + " is " + datatype + ", not " + expected);
        }
    }

    private static double unsignedToDouble(long value) {
        return value >= 0 ? value : (double) (value >>> 1) * 2.0 + (value & 1);
    }
}
