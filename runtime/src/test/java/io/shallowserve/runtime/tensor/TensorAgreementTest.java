package io.shallowserve.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TensorAgreementTest {

    private static final long[] THREE = {1, 3};

    @Test
    void problem_differenceWithinTheToleranceOfTheLargest_isNone() {
        List<Tensor> expected = List.of(Tensor.ofFloats("logits", THREE, new float[] {1000f, -2f, 0.5f}));
        // 0.009 away from 0.5: much more than 1e-5 of 0.5, but within 1e-5 of the largest value, 1000.
        List<Tensor> actual = List.of(Tensor.ofFloats("logits", THREE, new float[] {1000f, -2f, 0.509f}));

        assertThat(TensorAgreement.problem(expected, actual)).isEmpty();
    }

    @Test
    void problem_differenceBeyondTheTolerance_saysByHowMuch() {
        List<Tensor> expected = List.of(Tensor.ofFloats("logits", THREE, new float[] {1f, -2f, 0.5f}));
        List<Tensor> actual = List.of(Tensor.ofFloats("logits", THREE, new float[] {1f, -2.5f, 0.5f}));

        assertThat(TensorAgreement.problem(expected, actual))
                .hasValue("logits differs by up to 0.5 (allowed: 1.0E-5 of its largest value, 2.0)");
    }

    @Test
    void problem_notANumber_isAProblem() {
        List<Tensor> expected = List.of(Tensor.ofFloats("logits", THREE, new float[] {1f, 2f, 3f}));
        List<Tensor> actual = List.of(Tensor.ofFloats("logits", THREE, new float[] {1f, Float.NaN, 3f}));

        assertThat(TensorAgreement.problem(expected, actual)).hasValueSatisfying(
                problem -> assertThat(problem).startsWith("logits differs by up to NaN"));
    }

    @Test
    void problem_integersAndStrings_comparedByValue() {
        Tensor ids = new Tensor("ids", Datatype.INT64, new long[] {1}, new byte[] {7, 0, 0, 0, 0, 0, 0, 0});
        Tensor labels = Tensor.ofStrings("labels", new long[] {2}, List.of("cat", "dog"));

        assertThat(TensorAgreement.problem(List.of(ids, labels), List.of(ids, labels))).isEmpty();
        assertThat(TensorAgreement.problem(List.of(ids, labels),
                List.of(ids, Tensor.ofStrings("labels", new long[] {2}, List.of("cat", "cow")))))
                .hasValue("labels holds other strings");
    }

    @Test
    void problem_otherNamesShapesOrCounts_areNamed() {
        Tensor logits = Tensor.ofFloats("logits", THREE, new float[] {1f, 2f, 3f});

        assertThat(TensorAgreement.problem(List.of(logits), List.of())).hasValue("0 outputs instead of 1");
        assertThat(TensorAgreement.problem(List.of(logits),
                List.of(Tensor.ofFloats("scores", THREE, new float[] {1f, 2f, 3f}))))
                .hasValue("output scores where logits was expected");
        assertThat(TensorAgreement.problem(List.of(logits),
                List.of(Tensor.ofFloats("logits", new long[] {3, 1}, new float[] {1f, 2f, 3f}))))
                .hasValue("logits has shape [3, 1] instead of [1, 3]");
    }
}
