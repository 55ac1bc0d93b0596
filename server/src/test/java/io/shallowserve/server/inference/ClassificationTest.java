package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Top-k strings from given logits: order, format and shape. */
class ClassificationTest {

    private static final List<String> LABELS = List.of("cat", "dog", "bird");

    @Test
    void output_topK_perImageHighestFirstAsScoreIndexLabel() {
        float[] logits = {
            0.5f, -1.25f, 2f,
            -3f, 7.125f, 0.1f,
        };

        InferOutput output = Classification.output("logits", logits, 2, 2, LABELS);

        assertThat(output.name()).isEqualTo("logits");
        assertThat(output.datatype()).isEqualTo("BYTES");
        assertThat(output.shape()).containsExactly(2, 2);
        assertThat(output.values()).isNull();
        assertThat(output.strings()).containsExactly(
                "2.000000:2:bird", "0.500000:0:cat",
                "7.125000:1:dog", "0.100000:2:bird");
    }

    @Test
    void output_equalScores_lowerIndexFirst() {
        InferOutput output = Classification.output("logits", new float[] {1f, 3f, 3f}, 1, 3, LABELS);

        assertThat(output.strings()).containsExactly("3.000000:1:dog", "3.000000:2:bird", "1.000000:0:cat");
    }
}
