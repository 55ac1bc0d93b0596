package io.shallowserve.server.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.repository.ServedTensor;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests checked against the committed deep model's signature, with 16 images the largest batch, against a
 * graph of two inputs and no batch dimension, and against a tensor of the batch alone served with Triton's reshape.
 */
class RequestValidatorTest {

    private static final int MAX_BATCH = 16;
    private static final String DEEP = "fashion-deep";
    private static final String EXPECTED = "'input' FP32 [-1, 1, 28, 28] (-1 = any size)";

    private final RequestValidator validator = new RequestValidator(DEEP,
            served(new TensorSpec("input", Datatype.FP32, List.of(-1L, 1L, 28L, 28L))),
            served(new TensorSpec("logits", Datatype.FP32, List.of(-1L, 10L))), MAX_BATCH);

    @Test
    void input_missing_isInvalid() {
        assertInvalid(new InferenceRequest(DEEP, "", "", List.of(), List.of(), Long.MAX_VALUE))
                .hasMessage("missing input 'input': model fashion-deep expects " + EXPECTED);
    }

    @Test
    void input_unknownName_namesTheExpectedOne() {
        Tensor wrong = Tensor.ofFloats("image", new long[] {1, 1, 28, 28}, new float[784]);
        assertInvalid(Requests.request(DEEP, wrong))
                .hasMessage("unknown input 'image': model fashion-deep has inputs " + EXPECTED);
    }

    @Test
    void input_extraInput_namesTheExpectedOne() {
        Tensor pixels = Requests.pixels(new float[784], 1);
        Tensor extra = Tensor.ofFloats("mask", new long[] {1, 1, 28, 28}, new float[784]);
        assertInvalid(new InferenceRequest(DEEP, "", "", List.of(pixels, extra), List.of(), Long.MAX_VALUE))
                .hasMessageStartingWith("unknown input 'mask': model fashion-deep has inputs 'input'");
    }

    @Test
    void input_twice_isInvalid() {
        Tensor pixels = Requests.pixels(new float[784], 1);
        assertInvalid(new InferenceRequest(DEEP, "", "", List.of(pixels, pixels), List.of(), Long.MAX_VALUE))
                .hasMessage("input 'input' appears more than once; send it once");
    }

    @Test
    void input_otherDatatype_isInvalid() {
        Tensor wrong = new Tensor("input", Datatype.UINT8, new long[] {1, 1, 28, 28}, new byte[784]);
        assertInvalid(Requests.request(DEEP, wrong))
                .hasMessage("input 'input' has datatype UINT8; model fashion-deep expects FP32");
    }

    @Test
    void input_wrongRank_isInvalid() {
        Tensor wrong = Tensor.ofFloats("input", new long[] {1, 784}, new float[784]);
        assertInvalid(Requests.request(DEEP, wrong))
                .hasMessage("input 'input' has shape [1, 784]; model fashion-deep expects FP32 [-1, 1, 28, 28]"
                        + " (-1 = any size)");
    }

    @Test
    void input_wrongDimension_isInvalid() {
        Tensor wrong = Tensor.ofFloats("input", new long[] {1, 1, 28, 27}, new float[756]);
        assertInvalid(Requests.request(DEEP, wrong)).hasMessageStartingWith("input 'input' has shape [1, 1, 28, 27];");
    }

    @Test
    void input_emptyBatch_isInvalid() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[0], 0)))
                .hasMessage("input 'input' has batch size 0; send at least one row");
    }

    @Test
    void input_batchOverMaximum_isInvalid() {
        int batch = MAX_BATCH + 1;
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[batch * 784], batch)))
                .hasMessage("input 'input' has batch size 17; model fashion-deep takes at most 16 per request,"
                        + " split the batch");
    }

    @Test
    void input_valueCountNotMatchingShape_isInvalid() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[783], 1)))
                .hasMessage("input 'input': 3132 bytes of FP32 data; shape [1, 1, 28, 28] needs 784 elements of 4"
                        + " bytes, 3136 bytes");
    }

    @Test
    void inputs_twoInputsWithoutBatch_inTheGraphsOrderWhateverTheRequestsOrder() throws Exception {
        RequestValidator twoInputs = new RequestValidator("pair",
                served(new TensorSpec("a", Datatype.INT64, List.of(2L)),
                        new TensorSpec("b", Datatype.BYTES, List.of(-1L))),
                served(new TensorSpec("c", Datatype.BOOL, List.of(2L))), 0);
        Tensor a = new Tensor("a", Datatype.INT64, new long[] {2}, new byte[16]);
        Tensor b = Tensor.ofStrings("b", new long[] {3}, List.of("x", "", "zz"));

        RequestValidator.ValidInputs valid = twoInputs.inputs(List.of(b, a));

        assertThat(valid.inputs()).containsExactly(a, b);
        assertThat(valid.rows()).isEqualTo(1);
    }

    @Test
    void inputs_differentBatchSizes_isInvalid() {
        RequestValidator twoInputs = new RequestValidator("pair",
                served(new TensorSpec("a", Datatype.FP32, List.of(-1L, 2L)),
                        new TensorSpec("b", Datatype.FP32, List.of(-1L))),
                served(new TensorSpec("c", Datatype.FP32, List.of(-1L))), MAX_BATCH);

        assertThatThrownBy(() -> twoInputs.inputs(List.of(Tensor.ofFloats("a", new long[] {2, 2}, new float[4]),
                Tensor.ofFloats("b", new long[] {3}, new float[3]))))
                .hasMessage("input 'b' has batch size 3 but input 'a' has 2; send the same number of rows in every"
                        + " input");
    }

    @Test
    void input_bytesWhoseLengthsDoNotAddUp_isInvalid() {
        RequestValidator strings = new RequestValidator("strings",
                served(new TensorSpec("s", Datatype.BYTES, List.of(-1L))),
                served(new TensorSpec("t", Datatype.BYTES, List.of(-1L))), MAX_BATCH);

        assertThatThrownBy(() -> strings.inputs(List.of(new Tensor("s", Datatype.BYTES, new long[] {1},
                new byte[] {9, 0, 0, 0, 'a'})))).hasMessage("input 's': BYTES element 0 gives its length as 9 but 1"
                        + " bytes follow");
    }

    @Test
    void input_bytesNotUtf8_isInvalidNamingTheElement() {
        RequestValidator strings = new RequestValidator("strings",
                served(new TensorSpec("s", Datatype.BYTES, List.of(-1L))),
                served(new TensorSpec("t", Datatype.BYTES, List.of(-1L))), MAX_BATCH);
        // "é", then a lone 0xFF, then a UTF-16 surrogate written as UTF-8 (0xED 0xA0 0x80), which UTF-8 excludes.
        Tensor notText = Tensor.ofBytes("s", new long[] {3}, List.of(new byte[] {(byte) 0xC3, (byte) 0xA9},
                new byte[] {'a', (byte) 0xFF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));

        assertThatThrownBy(() -> strings.inputs(List.of(notText))).hasMessage("input 's' element 1 is not UTF-8 text;"
                + " model strings takes BYTES as strings (ONNX Runtime's Java API, which runs it, passes no other"
                + " bytes), so send text in UTF-8");
    }

    @Test
    void outputs_unknownOutput_namesTheModelsOutputs() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[784], 1), new RequestedOutput("probs", 0)))
                .hasMessage("unknown output 'probs': model fashion-deep has outputs 'logits' FP32 [-1, 10]"
                        + " (-1 = any size)");
    }

    @Test
    void outputs_twice_isInvalid() {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[784], 1), new RequestedOutput("logits", 0),
                new RequestedOutput("logits", 2)))
                .hasMessage("output 'logits' is requested more than once; request it once");
    }

    @Test
    void outputs_noneRequested_everyOutputRaw() throws Exception {
        assertThat(validator.outputs(List.of())).containsExactly(new RequestedOutput("logits", 0));
    }

    @ParameterizedTest
    @ValueSource(ints = {11, -1})
    void outputs_topKOutsideClasses_isInvalid(int topK) {
        assertInvalid(Requests.request(DEEP, Requests.pixels(new float[784], 1), new RequestedOutput("logits", topK)))
                .hasMessage("output 'logits' asks for the top " + topK + " classes; model fashion-deep has 10"
                        // Not "or 0": both protocols refuse 0, as Triton does.
                        + " (ask for 1 to 10, or leave \"classification\" out for the raw values)");
    }

    @Test
    void outputs_classificationOfAnOutputNotOfTwoDimensions_isInvalid() {
        RequestValidator flat = new RequestValidator("flat",
                served(new TensorSpec("x", Datatype.FP32, List.of(-1L))),
                served(new TensorSpec("y", Datatype.FP32, List.of(-1L))), MAX_BATCH);

        assertThatThrownBy(() -> flat.outputs(List.of(new RequestedOutput("y", 1))))
                .hasMessage("output 'y' asks for the top 1 classes, but it is FP32 [-1] (-1 = any size);"
                        + " classification takes a numeric output of two dimensions [rows, classes]");
    }

    @Test
    void inputs_reshapedInputInItsApiShape_isHandedOnInTheGraphsShapeWithTheSameBytes() throws Exception {
        RequestValidator batchOnly = batchOnly();
        Tensor sent = Tensor.ofFloats("x", new long[] {3, 1}, new float[] {1, 2, 3});

        RequestValidator.ValidInputs valid = batchOnly.inputs(List.of(sent));

        Tensor handedOn = valid.inputs().getFirst();
        assertThat(handedOn.shape()).containsExactly(3);
        assertThat(handedOn.raw()).as("the request's bytes, not a copy").isSameAs(sent.raw());
        assertThat(valid.rows()).isEqualTo(3);
    }

    @Test
    void inputs_reshapedInputInTheGraphsShape_isHandedOnAsSent() throws Exception {
        Tensor sent = Tensor.ofFloats("x", new long[] {2}, new float[] {1, 2});

        RequestValidator.ValidInputs valid = batchOnly().inputs(List.of(sent));

        assertThat(valid.inputs()).containsExactly(sent);
        assertThat(valid.rows()).isEqualTo(2);
    }

    @Test
    void inputs_reshapedInputInNeitherShape_saysBoth() {
        assertThatThrownBy(() -> batchOnly().inputs(List.of(Tensor.ofFloats("x", new long[] {1, 2},
                new float[2])))).hasMessage("input 'x' has shape [1, 2]; model batch-only expects FP32 [-1, 1]"
                        + " (-1 = any size; or [-1], the graph's shape)");
    }

    /** A graph of x [-1] to y [-1], as Triton's auto-complete serves it: dims [1], reshape { shape: [] }. */
    private static RequestValidator batchOnly() {
        return new RequestValidator("batch-only",
                List.of(ServedTensor.autoCompleted(new TensorSpec("x", Datatype.FP32, List.of(-1L)), true)),
                List.of(ServedTensor.autoCompleted(new TensorSpec("y", Datatype.FP32, List.of(-1L)), true)),
                MAX_BATCH);
    }

    /** Tensors served as the graph has them. */
    private static List<ServedTensor> served(TensorSpec... tensors) {
        return Stream.of(tensors).map(ServedTensor::unchanged).toList();
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertInvalid(InferenceRequest request) {
        return assertThatThrownBy(() -> {
            validator.inputs(request.inputs());
            validator.outputs(request.outputs());
        })
                .isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.status()).isEqualTo(InferenceException.Status.INVALID_ARGUMENT));
    }
}
