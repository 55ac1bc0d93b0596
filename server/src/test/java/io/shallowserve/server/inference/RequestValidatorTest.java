package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.repository.TestRepository;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests checked against the committed deep model's manifest, with 16 images the largest batch. */
class RequestValidatorTest {

    private static final int MAX_BATCH = 16;
    private static final String DEEP = TestRepository.DEEP;

    private static RequestValidator validator;

    @BeforeAll
    static void load() throws Exception {
        validator = new RequestValidator(TestRepository.verified(DEEP), MAX_BATCH);
    }

    @Test
    void input_missing_isInvalid() {
        assertInvalid(new InferenceRequest(DEEP, "", "", List.of(), List.of(), Long.MAX_VALUE))
                .hasMessage("missing input 'input': model fashion-deep expects one input, FP32 [-1, 1, 28, 28]"
                        + " (-1 = batch)");
    }

    @Test
    void input_unknownName_namesTheExpectedOne() {
        InferInput wrong = new InferInput("image", "FP32", new long[] {1, 1, 28, 28}, new float[784]);
        assertInvalid(Requests.request(DEEP, wrong)).hasMessage("unknown input 'image': model fashion-deep has one"
                + " input, 'input', FP32 [-1, 1, 28, 28] (-1 = batch)");
    }

    @Test
    void input_extraInput_namesTheExpectedOne() {
        InferInput pixels = Requests.pixels(new float[784], 1);
        InferInput extra = new InferInput("mask", "FP32", new long[] {1, 1, 28, 28}, new float[784]);
        assertInvalid(new InferenceRequest(DEEP, "", "", List.of(pixels, extra), List.of(), Long.MAX_VALUE))
                .hasMessageStartingWith("unknown input 'mask': model fashion-deep has one input, 'input'");
    }

    @Test
    void input_datatypeNotFp32_isInvalid() {
        InferInput wrong = new InferInput("input", "UINT8", new long[] {1, 1, 28, 28}, new float[784]);
        assertInvalid(Requests.request(DEEP, wrong))
                .hasMessage("input 'input' has datatype UINT8; model fashion-deep expects FP32");
    }

    @Test
    void input_wrongRank_isInvalid() {
        InferInput wrong = new InferInput("input", "FP32", new long[] {1, 784}, new float[784]);
        assertInvalid(Requests.request(DEEP, wrong)).hasMessage("input 'input' has shape [1, 784] of rank 2;"
                + " model fashion-deep expects rank 4, FP32 [-1, 1, 28, 28] (-1 = batch)");
    }

    @Test
    void input_wrongDimension_namesIt() {
        InferInput wrong = new InferInput("input", "FP32", new long[] {1, 1, 28, 27}, new float[756]);
        assertInvalid(Requests.request(DEEP, wrong)).hasMessage("input 'input' has shape [1, 1, 28, 27]; dimension 3"
                + " must be 28 (model fashion-deep expects FP32 [-1, 1, 28, 28] (-1 = batch))");
    }

    @Test
    void input_emptyBatch_isInvalid() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[0], 0)))
                .hasMessage("input 'input' has batch size 0; send at least one image");
    }

    @Test
    void input_batchOverMaximum_isInvalid() {
        int batch = MAX_BATCH + 1;
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[batch * 784], batch)))
                .hasMessage("input 'input' has batch size 17; model fashion-deep takes at most 16 images per"
                        + " request, split the batch");
    }

    @Test
    void input_valueCountNotMatchingShape_isInvalid() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[783], 1)))
                .hasMessage("input 'input' has 783 values; shape [1, 1, 28, 28] needs 784");
    }

    @Test
    void outputs_unknownOutput_namesTheModelsOutput() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[784], 1), new RequestedOutput("probs", 0)))
                .hasMessage("unknown output 'probs': model fashion-deep has one output, 'logits'");
    }

    @ParameterizedTest
    @ValueSource(ints = {11, -1})
    void outputs_topKOutsideClasses_isInvalid(int topK) {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[784], 1), new RequestedOutput("logits", topK)))
                .hasMessage("output 'logits' asks for the top " + topK + " classes; model fashion-deep has 10"
                        + " (ask for 1 to 10, or 0 for the raw logits)");
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(InferenceRequest request) {
        return assertThatThrownBy(() -> {
            validator.input(request.inputs());
            validator.outputs(request.outputs());
        })
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT));
    }
}
