package io.shallowserve.server.it;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a tensor equals the one an ONNX backend test expects, as ONNX's backend test runner decides
 * (onnx/backend/test/runner: {@code numpy.testing.assert_allclose} with rtol 1e-3 and atol 1e-7): floating-point
 * values within {@code atol + rtol * |expected|}, NaN where NaN is expected and an infinity where the same infinity
 * is; integers, BOOL and BYTES exactly. Element type, shape and every element must agree.
 */
final class BackendTestTolerance {

    static final double RELATIVE = 1e-3;
    static final double ABSOLUTE = 1e-7;

    private BackendTestTolerance() {
    }

    /**
     * The first difference between {@code expected} and {@code actual} for a failure message ("element 3 at [0, 3]
     * is 2.5, expected 2.0"), or empty where they are equal within the tolerance.
     */
    static Optional<String> firstDifference(Tensor expected, Tensor actual) {
        if (actual.datatype() != expected.datatype()) {
            return Optional.of("datatype " + actual.datatype() + ", expected " + expected.datatype());
        }
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            return Optional.of("shape " + Arrays.toString(actual.shape()) + ", expected "
                    + Arrays.toString(expected.shape()));
        }
        if (expected.datatype() == Datatype.BYTES) {
            List<byte[]> want = expected.bytesElements();
            List<byte[]> got = actual.bytesElements();
            if (got.size() != want.size()) {
                return Optional.of(got.size() + " BYTES elements, expected " + want.size());
            }
            for (int i = 0; i < want.size(); i++) {
                if (!Arrays.equals(want.get(i), got.get(i))) {
                    return Optional.of(element(expected, i) + " is " + Arrays.toString(got.get(i)) + ", expected "
                            + Arrays.toString(want.get(i)));
                }
            }
            return Optional.empty();
        }
        boolean floating = switch (expected.datatype()) {
            case FP16, FP32, FP64 -> true;
            default -> false;
        };
        for (int i = 0; i < expected.elementCount(); i++) {
            boolean equal = floating ? close(expected.number(i), actual.number(i)) : sameBits(expected, actual, i);
            if (!equal) {
                return Optional.of(element(expected, i) + " is " + value(actual, i) + ", expected "
                        + value(expected, i));
            }
        }
        return Optional.empty();
    }

    /** Whether a floating-point value is within the tolerance of the expected one. */
    static boolean close(double expected, double actual) {
        if (Double.isNaN(expected) || Double.isNaN(actual)) {
            return Double.isNaN(expected) && Double.isNaN(actual);
        }
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            return expected == actual; // as numpy does: rtol times an infinity would admit anything
        }
        return Math.abs(actual - expected) <= ABSOLUTE + RELATIVE * Math.abs(expected);
    }

    private static boolean sameBits(Tensor expected, Tensor actual, int index) {
        int size = expected.datatype().byteSize();
        return Arrays.equals(expected.raw(), index * size, (index + 1) * size, actual.raw(), index * size,
                (index + 1) * size);
    }

    /** Element {@code index} of an INT64 exactly, of any other number as {@link Tensor#number} reads it. */
    private static String value(Tensor tensor, int index) {
        return tensor.datatype() == Datatype.INT64 ? tensor.exactLong(index) : Double.toString(tensor.number(index));
    }

    /** "element 7 at [1, 3]": the flat index and the index in the shape. */
    private static String element(Tensor tensor, int flat) {
        long[] shape = tensor.shape();
        long[] at = new long[shape.length];
        long rest = flat;
        for (int d = shape.length - 1; d >= 0; d--) {
            at[d] = rest % shape[d];
            rest /= shape[d];
        }
        return "element " + flat + " at " + Arrays.toString(at);
    }
}
