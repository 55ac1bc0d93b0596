package io.shallowserve.server.protocol;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.inference.InferenceException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes one input tensor's values, one at a time as JSON and gRPC's typed contents give them, into the raw layout
 * of {@link Tensor}, checking each against the datatype: an integer out of its type's range, a fraction for an
 * integer type, a number for BOOL or BYTES are INVALID_ARGUMENT, as is a count other than the shape's. Memory grows
 * with the values given, not with the shape claimed.
 */
public final class TensorBuilder {

    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private final String name;
    private final String source;
    private final Datatype datatype;
    private final long[] shape;
    private final int count;
    private ByteBuffer bytes;
    private int added;

    /**
     * @param source where the values come from, as messages name it: {@code "data"} or
     *               {@code contents.fp32_contents}
     * @throws InferenceException INVALID_ARGUMENT for a negative dimension or too many elements
     */
    public TensorBuilder(String name, Datatype datatype, long[] shape, String source) throws InferenceException {
        this.name = name;
        this.source = source;
        this.datatype = datatype;
        this.shape = shape;
        this.count = TensorShapes.elementCount(name, shape);
        // Starts small whatever the shape claims; room() grows it as values arrive.
        this.bytes = ByteBuffer.allocate((int) Math.min((long) Math.max(count, 1) * Math.max(datatype.byteSize(), 4),
                1 << 16)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A JSON number, exactly as written: integer types take integral values in range, floating types any number a
     * double holds, each rounded once to the tensor's type (1e39 is an FP32 infinity); a number past a double's range
     * (1e400) is refused, as Triton's JSON parser (rapidjson) refuses it, rather than made an infinity.
     */
    public void addNumber(String literal) throws InferenceException {
        switch (datatype) {
            case FP16, FP32, FP64 -> {
                // FP16 and FP32 are parsed as a float; widening it to a double changes nothing.
                double value = datatype == Datatype.FP64 ? Double.parseDouble(literal) : Float.parseFloat(literal);
                requireWithinDouble(value, literal);
                putFloating(value);
            }
            case BOOL, BYTES -> throw wrongKind("the number " + literal);
            default -> putInteger(wholeNumber(literal), literal);
        }
    }

    /**
     * Refuses {@code value}, read from {@code literal}, if it is an infinity the literal does not name and a double
     * could not hold the number either; only infinities are checked, so that finite values are parsed once.
     */
    private void requireWithinDouble(double value, String literal) throws InferenceException {
        if (Double.isInfinite(value) && !literal.endsWith("Infinity")
                && Double.isInfinite(Double.parseDouble(literal))) {
            throw invalid("has " + literal + " in " + source + ", too large for a double, which " + datatype
                    + " data is read as (as Triton reads it)");
        }
    }

    /**
     * A JSON number's value as a whole number, or INVALID_ARGUMENT. Its digits are counted before it is made an
     * integer: 1e999999999 would otherwise become a billion-digit BigInteger.
     */
    private BigInteger wholeNumber(String literal) throws InferenceException {
        BigDecimal value;
        try {
            value = new BigDecimal(literal).stripTrailingZeros();
        } catch (NumberFormatException e) {
            // NaN, the infinities, and exponents past int's range.
            value = null;
        }
        if (value == null || value.scale() > 0) {
            throw invalid("has " + literal + " in " + source + ", not a whole number, which " + datatype
                    + " data needs");
        }
        if (value.precision() - value.scale() > UINT64_MAX.toString().length()) {
            throw outOfRange(literal);
        }
        return value.toBigIntegerExact();
    }

    /** A signed integer of typed contents (int_contents, int64_contents) or a whole JSON number. */
    public void addLong(long value) throws InferenceException {
        if (isFloating()) {
            putFloating(value);
        } else {
            putInteger(BigInteger.valueOf(value), Long.toString(value));
        }
    }

    /** An unsigned integer of typed contents (uint_contents, uint64_contents). */
    public void addUnsigned(long value) throws InferenceException {
        if (isFloating()) {
            putFloating(value >= 0 ? value : BigInteger.valueOf(value).add(UINT64_MAX).add(BigInteger.ONE)
                    .doubleValue());
        } else {
            BigInteger unsigned = new BigInteger(Long.toUnsignedString(value));
            putInteger(unsigned, unsigned.toString());
        }
    }

    /** A floating-point value of typed contents (fp32_contents, fp64_contents). */
    public void addDouble(double value) throws InferenceException {
        if (!isFloating()) {
            throw wrongKind("the floating-point value " + value);
        }
        putFloating(value);
    }

    public void addBoolean(boolean value) throws InferenceException {
        if (datatype != Datatype.BOOL) {
            throw wrongKind("the boolean " + value);
        }
        room(1).put((byte) (value ? 1 : 0));
    }

    /** One BYTES element. */
    public void addBytes(byte[] value) throws InferenceException {
        if (datatype != Datatype.BYTES) {
            throw wrongKind("a string");
        }
        room(Integer.BYTES + value.length).putInt(value.length).put(value);
    }

    /** The tensor, once every element of its shape was added. */
    public Tensor build() throws InferenceException {
        if (added != count) {
            throw invalid("has " + added + " values in " + source + "; shape " + Arrays.toString(shape) + " needs "
                    + count);
        }
        return new Tensor(name, datatype, shape, Arrays.copyOf(bytes.array(), bytes.position()));
    }

    private boolean isFloating() {
        return datatype == Datatype.FP16 || datatype == Datatype.FP32 || datatype == Datatype.FP64;
    }

    private void putFloating(double value) {
        switch (datatype) {
            case FP16 -> putFloat16((float) value);
            case FP32 -> room(Float.BYTES).putFloat((float) value);
            default -> room(Double.BYTES).putDouble(value);
        }
    }

    private void putFloat16(float value) {
        room(Short.BYTES).putShort(Float.floatToFloat16(value));
    }

    private void putInteger(BigInteger value, String shown) throws InferenceException {
        if (value.compareTo(integerMin()) < 0 || value.compareTo(integerMax()) > 0) {
            throw outOfRange(shown);
        }
        long bitsValue = value.longValue();
        switch (datatype.byteSize()) {
            case 1 -> room(1).put((byte) bitsValue);
            case 2 -> room(Short.BYTES).putShort((short) bitsValue);
            case 4 -> room(Integer.BYTES).putInt((int) bitsValue);
            default -> room(Long.BYTES).putLong(bitsValue);
        }
    }

    /** The least value of the integer datatype. */
    private BigInteger integerMin() {
        return isUnsigned() ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(integerBits() - 1).negate();
    }

    /** The greatest value of the integer datatype. */
    private BigInteger integerMax() {
        return BigInteger.ONE.shiftLeft(isUnsigned() ? integerBits() : integerBits() - 1).subtract(BigInteger.ONE);
    }

    private int integerBits() {
        return datatype.byteSize() * Byte.SIZE;
    }

    private boolean isUnsigned() {
        return datatype.name().startsWith("UINT");
    }

    private InferenceException outOfRange(String shown) {
        return invalid("has " + shown + " in " + source + ", outside " + datatype + "'s range, " + integerMin()
                + " to " + integerMax());
    }

    /** The buffer, with room for one more element of {@code size} bytes. */
    private ByteBuffer room(int size) {
        if (added >= count) {
            // Reported by build(); keep counting without storing what no shape asked for.
            added++;
            return ByteBuffer.allocate(size);
        }
        added++;
        if (bytes.remaining() < size) {
            int capacity = Math.max(bytes.capacity() * 2, bytes.position() + size);
            bytes = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN).put(bytes.flip());
        }
        return bytes;
    }

    private InferenceException wrongKind(String given) {
        return invalid("has " + given + " in " + source + "; " + datatype + " data is "
                + switch (datatype) {
                    case BOOL -> "true or false";
                    case BYTES -> "strings";
                    case FP16, FP32, FP64 -> "numbers";
                    default -> "whole numbers";
                });
    }

    private InferenceException invalid(String problem) {
        return InferenceException.invalid("input '" + name + "' " + problem);
    }
}
