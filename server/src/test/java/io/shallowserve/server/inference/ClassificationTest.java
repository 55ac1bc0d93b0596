package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Top-k strings from given outputs: order, format and shape. */
class ClassificationTest {

    private static final List<String> LABELS = List.of("cat", "dog", "bird");

    @Test
    void output_topK_perImageHighestFirstAsScoreIndexLabel() {
        float[] logits = {
            0.5f, -1.25f, 2f,
            -3f, 7.125f, 0.1f,
        };

        Tensor output = Classification.output(Tensor.ofFloats("logits", new long[] {2, 3}, logits), 2, LABELS);

        assertThat(output.name()).isEqualTo("logits");
        assertThat(output.datatype()).isEqualTo(Datatype.BYTES);
        assertThat(output.shape()).containsExactly(2, 2);
        assertThat(output.strings()).containsExactly(
                "2.000000:2:bird", "0.500000:0:cat",
                "7.125000:1:dog", "0.100000:2:bird");
    }

    @Test
    void output_equalScores_lowerIndexFirst() {
        Tensor output = Classification.output(Tensor.ofFloats("logits", new long[] {1, 3},
                new float[] {1f, 3f, 3f}), 3, LABELS);

        assertThat(output.strings()).containsExactly("3.000000:1:dog", "3.000000:2:bird", "1.000000:0:cat");
    }

    @Test
    void output_integersWithoutLabels_valueAndIndexOnly() {
        Tensor counts = new Tensor("counts", Datatype.INT64, new long[] {1, 3},
                ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putLong(-4).putLong(9).putLong(2).array());

        assertThat(Classification.output(counts, 2, List.of()).strings()).containsExactly("9:1", "2:2");
    }

    @Test
    void output_moreThanTheClasses_givesEveryClass() {
        Tensor output = Classification.output(Tensor.ofFloats("logits", new long[] {1, 2}, new float[] {1f, 2f}), 5,
                List.of());

        assertThat(output.shape()).containsExactly(1, 2);
        assertThat(output.strings()).containsExactly("2.000000:1", "1.000000:0");
    }
}
