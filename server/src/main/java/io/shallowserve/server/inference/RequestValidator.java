package io.shallowserve.server.inference;

import io.shallowserve.runtime.repository.ModelManifest;
import io.shallowserve.runtime.repository.ModelVersion;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a request's tensors against one model version's manifest and the server's largest batch, and says what is
 * wrong in terms of what the model expects (INVALID_ARGUMENT).
 */
final class RequestValidator {

    private final ModelVersion model;
    private final int maxBatchSize;
    private final ModelManifest.Tensor input;
    private final ModelManifest.Tensor output;
    private final String expectedInput;

    RequestValidator(ModelVersion model, int maxBatchSize) {
        this.model = model;
        this.maxBatchSize = maxBatchSize;
        this.input = model.manifest().input();
        this.output = model.manifest().output();
        this.expectedInput = input.datatype() + " " + input.shape() + " (-1 = batch)";
    }

    /**
     * The model's one input among {@code inputs}: named and typed as the manifest says (the repository serves FP32
     * only), of the model's shape but for the batch dimension, 1 to the largest batch images, with as many values
     * as its shape says.
     *
     * @throws InferenceException INVALID_ARGUMENT, saying what is wrong
     */
    InferInput input(List<InferInput> inputs) throws InferenceException {
        if (inputs == null || inputs.isEmpty()) {
            throw invalid("missing input '" + input.name() + "': model " + model.name() + " expects one input, "
                    + expectedInput);
        }
        for (InferInput given : inputs) {
            if (!input.name().equals(given.name())) {
                throw invalid("unknown input '" + given.name() + "': model " + model.name() + " has one input, '"
                        + input.name() + "', " + expectedInput);
            }
        }
        if (inputs.size() > 1) {
            throw invalid("input '" + input.name() + "' appears " + inputs.size() + " times; send it once");
        }
        InferInput given = inputs.getFirst();
        if (!input.datatype().equals(given.datatype())) {
            throw invalid("input '" + input.name() + "' has datatype " + given.datatype() + "; model " + model.name()
                    + " expects " + input.datatype());
        }
        long[] shape = given.shape();
        if (shape == null || shape.length != input.shape().size()) {
            throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + " of rank "
                    + (shape == null ? 0 : shape.length) + "; model " + model.name() + " expects rank "
                    + input.shape().size() + ", " + expectedInput);
        }
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] != input.shape().get(d)) {
                throw invalid("input '" + input.name() + "' has shape " + Arrays.toString(shape) + "; dimension " + d
                        + " must be " + input.shape().get(d) + " (model " + model.name() + " expects "
                        + expectedInput + ")");
            }
        }
        if (shape[0] < 1) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; send at least one image");
        }
        if (shape[0] > maxBatchSize) {
            throw invalid("input '" + input.name() + "' has batch size " + shape[0] + "; model " + model.name()
                    + " takes at most " + maxBatchSize + " images per request, split the batch");
        }
        long expectedValues = shape[0] * model.imageSize();
        int values = given.values() == null ? 0 : given.values().length;
        if (values != expectedValues) {
            throw invalid("input '" + input.name() + "' has " + values + " values; shape " + Arrays.toString(shape)
                    + " needs " + expectedValues);
        }
        return given;
    }

    /**
     * The outputs to build: those requested, each the model's one output with a top-k of 0 (the raw logits) to the
     * number of classes; the raw logits when none is requested.
     *
     * @throws InferenceException INVALID_ARGUMENT, saying what is wrong
     */
    List<RequestedOutput> outputs(List<RequestedOutput> requested) throws InferenceException {
        if (requested == null || requested.isEmpty()) {
            return List.of(new RequestedOutput(output.name(), 0));
        }
        for (RequestedOutput wanted : requested) {
            if (!output.name().equals(wanted.name())) {
                throw invalid("unknown output '" + wanted.name() + "': model " + model.name() + " has one output, '"
                        + output.name() + "'");
            }
            if (wanted.classificationTopK() < 0 || wanted.classificationTopK() > model.classes()) {
                throw invalid("output '" + output.name() + "' asks for the top " + wanted.classificationTopK()
                        + " classes; model " + model.name() + " has " + model.classes()
                        + " (ask for 1 to " + model.classes() + ", or 0 for the raw logits)");
            }
        }
        return requested;
    }

    private static InferenceException invalid(String message) {
        return InferenceException.invalid(message);
    }
}
