package io.shallowserve.server.inference;

import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import io.shallowserve.server.repository.ServedTensor;
import io.shallowserve.server.repository.TritonModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Checks a request's tensors against one model version's tensors in their API shapes and the largest batch, and says
 * what is wrong in terms of what the model expects (INVALID_ARGUMENT).
 */
final class RequestValidator {

    /**
     * A request's inputs in the model's order and in the graph's shapes ({@link ServedTensor#toModel}), and the rows
     * (batch size) they carry; 1 for a model without a batch.
     */
    record ValidInputs(List<Tensor> inputs, int rows) {}

    private final String model;
    private final List<ServedTensor> inputs;
    private final List<ServedTensor> outputs;
    private final int maxBatchSize;

    /**
     * @param maxBatchSize the most rows a request may carry; 0 for a model whose first dimension is not a batch
     */
    RequestValidator(String model, List<ServedTensor> inputs, List<ServedTensor> outputs, int maxBatchSize) {
        this.model = model;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.maxBatchSize = maxBatchSize;
    }

    /**
     * The validator of a version of {@code graph}: its tensors as {@code configuration} declares them, or as Triton's
     * auto-complete would ({@link ServedTensor#forGraph}).
     */
    static RequestValidator of(String model, ExecutionPlan graph, Optional<TritonModelConfig> configuration,
            int maxBatchSize) {
        return new RequestValidator(model,
                ServedTensor.forGraph(graph.inputs(), configuration.map(TritonModelConfig::inputs).orElse(List.of()),
                        maxBatchSize > 0),
                ServedTensor.forGraph(graph.outputs(),
                        configuration.map(TritonModelConfig::outputs).orElse(List.of()), maxBatchSize > 0),
                maxBatchSize);
    }

    /** The inputs requests send, in their API shapes. */
    List<ServedTensor> servedInputs() {
        return inputs;
    }

    /** The outputs requests may ask for, in their API shapes. */
    List<ServedTensor> servedOutputs() {
        return outputs;
    }

    /**
     * Every input of the model, once, among {@code given}: named, typed and shaped as the model's API shape says (or
     * the graph's own, {@link ServedTensor#accepts}), the values as many as the shape says, BYTES elements UTF-8
     * text, and with a batch, the same 1 to the largest batch rows in each.
     *
     * @throws InferenceException INVALID_ARGUMENT, saying what is wrong
     */
    ValidInputs inputs(List<Tensor> given) throws InferenceException {
        List<Tensor> ordered = new ArrayList<>(inputs.size());
        for (ServedTensor spec : inputs) {
            ordered.add(null);
        }
        for (Tensor tensor : given == null ? List.<Tensor>of() : given) {
            int index = indexOf(inputs, tensor.name());
            if (index < 0) {
                throw invalid("unknown input '" + tensor.name() + "': model " + model + " has inputs "
                        + described(inputs));
            }
            if (ordered.get(index) != null) {
                throw invalid("input '" + tensor.name() + "' appears more than once; send it once");
            }
            ordered.set(index, checked(inputs.get(index), tensor));
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (ordered.get(i) == null) {
                throw invalid("missing input '" + inputs.get(i).name() + "': model " + model + " expects "
                        + described(inputs));
            }
        }
        if (maxBatchSize == 0) {
            return new ValidInputs(ordered, 1);
        }
        long rows = ordered.getFirst().shape()[0];
        for (Tensor tensor : ordered) {
            if (tensor.shape()[0] != rows) {
                throw invalid("input '" + tensor.name() + "' has batch size " + tensor.shape()[0] + " but input '"
                        + ordered.getFirst().name() + "' has " + rows + "; send the same number of rows in every"
                        + " input");
            }
        }
        if (rows < 1) {
            throw invalid("input '" + ordered.getFirst().name() + "' has batch size " + rows
                    + "; send at least one row");
        }
        if (rows > maxBatchSize) {
            throw invalid("input '" + ordered.getFirst().name() + "' has batch size " + rows + "; model " + model
                    + " takes at most " + maxBatchSize + " per request, split the batch");
        }
        return new ValidInputs(ordered, (int) rows);
    }

    /** {@code tensor} checked against {@code served}, in the graph's shape. */
    private Tensor checked(ServedTensor served, Tensor tensor) throws InferenceException {
        TensorSpec spec = served.api();
        if (spec.datatype() != tensor.datatype()) {
            throw invalid("input '" + spec.name() + "' has datatype " + tensor.datatype() + "; model " + model
                    + " expects " + spec.datatype());
        }
        long[] shape = tensor.shape();
        if (!served.accepts(shape)) {
            throw invalid("input '" + spec.name() + "' has shape " + Arrays.toString(shape) + "; model " + model
                    + " expects " + described(served));
        }
        Optional<String> layout = Tensor.layoutProblem(tensor.datatype(), shape, tensor.raw());
        if (layout.isPresent()) {
            throw invalid("input '" + spec.name() + "': " + layout.get());
        }
        // ONNX Runtime's Java API takes string tensors as Java strings: other bytes would reach the graph as U+FFFD.
        OptionalInt notUtf8 = tensor.datatype() == Datatype.BYTES ? tensor.firstElementNotUtf8() : OptionalInt.empty();
        if (notUtf8.isPresent()) {
            throw invalid("input '" + spec.name() + "' element " + notUtf8.getAsInt() + " is not UTF-8 text; model "
                    + model + " takes BYTES as strings (ONNX Runtime's Java API, which runs it, passes no other"
                    + " bytes), so send text in UTF-8");
        }
        return served.toModel(tensor);
    }

    /**
     * The outputs to build: those requested, each an output of the model and named once (Triton refuses a second
     * request of an output too: InferenceRequest::AddOriginalRequestedOutput), with a top-k of 0 (the raw tensor)
     * or, for a numeric output of two dimensions, 1 to its classes; every output raw when none is requested.
     *
     * @throws InferenceException INVALID_ARGUMENT, saying what is wrong
     */
    List<RequestedOutput> outputs(List<RequestedOutput> requested) throws InferenceException {
        if (requested == null || requested.isEmpty()) {
            return outputs.stream().map(output -> new RequestedOutput(output.name(), 0)).toList();
        }
        boolean[] seen = new boolean[outputs.size()];
        for (RequestedOutput wanted : requested) {
            int index = indexOf(outputs, wanted.name());
            if (index < 0) {
                throw invalid("unknown output '" + wanted.name() + "': model " + model + " has outputs "
                        + described(outputs));
            }
            if (seen[index]) {
                throw invalid("output '" + wanted.name() + "' is requested more than once; request it once");
            }
            seen[index] = true;
            int k = wanted.classificationTopK();
            if (k == 0) {
                continue;
            }
            TensorSpec output = outputs.get(index).api();
            if (output.shape().size() != 2 || output.datatype() == Datatype.BYTES) {
                throw invalid("output '" + output.name() + "' asks for the top " + k + " classes, but it is "
                        + described(output) + "; classification takes a numeric output of two dimensions"
                        + " [rows, classes]");
            }
            long classes = output.shape().get(1);
            if (k < 0 || (classes > 0 && k > classes)) {
                throw invalid("output '" + output.name() + "' asks for the top " + k + " classes; model " + model
                        + " has " + classes + " (ask for 1 to " + classes + ", or leave \"classification\" out for the"
                        + " raw values)");
            }
        }
        return requested;
    }

    private static int indexOf(List<ServedTensor> specs, String name) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static String described(List<ServedTensor> specs) {
        return String.join(", ", specs.stream().map(spec -> "'" + spec.name() + "' " + described(spec)).toList());
    }

    /** An input as requests may send it: "FP32 [-1, 1] (-1 = any size; or [-1], the graph's shape)". */
    private static String described(ServedTensor served) {
        return described(served.api(), served.reshaped()
                ? Optional.of("or " + served.modelShape() + ", the graph's shape") : Optional.empty());
    }

    private static String described(TensorSpec spec) {
        return described(spec, Optional.empty());
    }

    /** "FP32 [-1, 10] (-1 = any size; {@code note})". */
    private static String described(TensorSpec spec, Optional<String> note) {
        List<String> notes = new ArrayList<>();
        if (spec.shape().contains(-1L)) {
            notes.add("-1 = any size");
        }
        note.ifPresent(notes::add);
        return spec.datatype() + " " + spec.shape() + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
    }

    private static InferenceException invalid(String message) {
        return InferenceException.invalid(message);
    }
}
