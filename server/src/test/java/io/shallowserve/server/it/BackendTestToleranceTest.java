package io.shallowserve.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendTestToleranceTest {

    @Test
    void firstDifference_withinRelativeAndAbsoluteTolerance_isEmpty() {
        Tensor expected = floats(new long[] {2, 2}, 1000f, 0f, Float.NaN, Float.NEGATIVE_INFINITY);
        Tensor actual = floats(new long[] {2, 2}, 1000.9f, 9e-8f, Float.NaN, Float.NEGATIVE_INFINITY);

        assertThat(BackendTestTolerance.firstDifference(expected, actual)).isEmpty();
    }

    @Test
    void firstDifference_beyondTolerance_namesTheElement() {
        Tensor expected = floats(new long[] {2, 2}, 1f, 2f, 3f, 4f);
        Tensor actual = floats(new long[] {2, 2}, 1f, 2f, 3.01f, 4f);

        assertThat(BackendTestTolerance.firstDifference(expected, actual))
                .contains("element 2 at [1, 0] is 3.009999990463257, expected 3.0");
    }

    @Test
    void firstDifference_nanAgainstANumberOrInfinities_differ() {
        assertThat(BackendTestTolerance.close(Double.NaN, 0)).isFalse();
        assertThat(BackendTestTolerance.close(0, Double.NaN)).isFalse();
        assertThat(BackendTestTolerance.close(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)).isFalse();
        assertThat(BackendTestTolerance.close(Double.POSITIVE_INFINITY, Float.MAX_VALUE)).isFalse();
    }

    @Test
    void firstDifference_integers_mustBeExact() {
        ByteBuffer expected = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 60).putLong(5);
        ByteBuffer actual = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong((1L << 60) + 1).putLong(5);

        assertThat(BackendTestTolerance.firstDifference(
                new Tensor("i", Datatype.INT64, new long[] {2}, expected.array()),
                new Tensor("i", Datatype.INT64, new long[] {2}, actual.array())))
                .contains("element 0 at [0] is 1152921504606846977, expected 1152921504606846976");
    }

    @Test
    void firstDifference_otherShapeDatatypeOrBytes_differ() {
        Tensor strings = Tensor.ofStrings("s", new long[] {2}, List.of("a", "b"));

        assertThat(BackendTestTolerance.firstDifference(strings, Tensor.ofStrings("s", new long[] {2},
                List.of("a", "c")))).contains("element 1 at [1] is [99], expected [98]");
        assertThat(BackendTestTolerance.firstDifference(strings, Tensor.ofStrings("s", new long[] {1, 2},
                List.of("a", "b")))).contains("shape [1, 2], expected [2]");
        assertThat(BackendTestTolerance.firstDifference(floats(new long[] {1}, 1f),
                new Tensor("x", Datatype.FP64, new long[] {1}, new byte[8]))).contains("datatype FP64, expected FP32");
    }

    private static Tensor floats(long[] shape, float... values) {
        return Tensor.ofFloats("x", shape, values);
    }
}
