package io.shallowserve.server.repository;

import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One input or output of a served model in its two shapes, Triton's {@code dims} and {@code reshape}: the API shape
 * that requests send, responses carry and the metadata and configuration report, and the model shape that the graph
 * takes or gives. They hold the same elements in the same order; only the shape differs (Triton's ModelTensorReshape).
 * Shapes are in full, with the batch dimension first where the model batches, and -1 for a dimension of any size.
 *
 * <p>The k-th dimension of any size of one shape is the k-th of the other: the batch (the first of each, where the
 * model batches), then the others in order, as Triton's core carries their sizes over (InferenceRequest::Normalize
 * for an input, InferenceResponse::Output::Reshape for an output).
 *
 * @param api   name, datatype and API shape: [-1] + dims where the model batches, dims where it does not
 * @param model name, datatype and the graph's shape: [-1] + reshape.shape, or reshape.shape; the API shape where
 *              there is no reshape
 */
public record ServedTensor(TensorSpec api, TensorSpec model) {

    /**
     * @throws IllegalArgumentException if the two differ in name or datatype, or their shapes do not hold the same
     *                                  elements ({@link #sameElements})
     */
    public ServedTensor {
        if (!api.name().equals(model.name()) || api.datatype() != model.datatype()) {
            throw new IllegalArgumentException("tensor '" + api.name() + "' " + api.datatype() + " served as '"
                    + model.name() + "' " + model.datatype() + ": a reshape changes the shape only");
        }
        if (!model.shape().equals(api.shape()) && !sameElements(api.shape(), model.shape())) {
            throw new IllegalArgumentException("tensor '" + api.name() + "' of shape " + api.shape()
                    + " cannot be reshaped to " + model.shape() + ": they hold different numbers of elements");
        }
    }

    /** {@code api} in the graph's shape {@code modelShape}. */
    public ServedTensor(TensorSpec api, List<Long> modelShape) {
        this(api, new TensorSpec(api.name(), api.datatype(), modelShape));
    }

    /** A tensor served as the graph has it: no reshape. */
    public static ServedTensor unchanged(TensorSpec graph) {
        return new ServedTensor(graph, graph);
    }

    /**
     * A graph's tensor that no configuration declares, as Triton's ONNX Runtime backend completes it
     * (ModelState::AutoCompleteIO): a tensor of the batch dimension alone ([-1]) in a model that batches has dims [1]
     * and reshape { shape: [] }, so its API shape is [-1, 1]; any other is served as the graph has it.
     *
     * @param batches whether the model batches along the first dimension (its max_batch_size is over 0)
     */
    public static ServedTensor autoCompleted(TensorSpec graph, boolean batches) {
        if (batches && graph.shape().equals(List.of(-1L))) {
            return new ServedTensor(new TensorSpec(graph.name(), graph.datatype(), List.of(-1L, 1L)), graph);
        }
        return unchanged(graph);
    }

    /**
     * The graph's {@code tensors} as served: each one {@code declared} names as declared there, each other as
     * {@link #autoCompleted}, in the graph's order.
     */
    public static List<ServedTensor> forGraph(List<TensorSpec> tensors, List<ServedTensor> declared, boolean batches) {
        List<ServedTensor> served = new ArrayList<>(tensors.size());
        for (TensorSpec tensor : tensors) {
            served.add(declared.stream().filter(d -> d.name().equals(tensor.name())).findFirst()
                    .orElseGet(() -> autoCompleted(tensor, batches)));
        }
        return served;
    }

    /**
     * Whether a reshape between {@code from} and {@code to} keeps the elements: the dimensions of any size pair up
     * (as many in each), and the sizes between them multiply to the same counts in both (an empty run counts 1), as
     * Triton requires of dims and reshape.shape (ValidateIOShape).
     *
     * @throws IllegalArgumentException if the sizes multiply past what a long counts
     */
    public static boolean sameElements(List<Long> from, List<Long> to) {
        return runs(from).equals(runs(to));
    }

    /** The products of the sizes before, between and after the dimensions of any size. */
    private static List<Long> runs(List<Long> shape) {
        List<Long> runs = new ArrayList<>();
        long product = 1;
        for (long dim : shape) {
            if (dim == -1) {
                runs.add(product);
                product = 1;
            } else {
                try {
                    product = Math.multiplyExact(product, dim);
                } catch (ArithmeticException e) {
                    throw new IllegalArgumentException("shape " + shape + " has more elements than can be counted",
                            e);
                }
            }
        }
        runs.add(product);
        return runs;
    }

    public String name() {
        return api.name();
    }

    /** The graph's shape. */
    public List<Long> modelShape() {
        return model.shape();
    }

    /** Whether the graph's shape differs from the API shape: a reshape applies. */
    public boolean reshaped() {
        return !model.shape().equals(api.shape());
    }

    /**
     * Whether a request may send this input in {@code shape}: the API shape, or the model shape. Triton's core takes
     * the API shape only (InferenceRequest::Normalize checks a request against dims); the model shape is accepted
     * too so that a request in the graph's own shape, which this server took before it reported reshapes (a
     * tensor of the batch alone, [-1]), is still answered, as the model would answer it.
     */
    public boolean accepts(long[] shape) {
        return api.accepts(shape) || model().accepts(shape);
    }

    /**
     * {@code input}, of a shape this tensor {@link #accepts}, in the model shape: the same values (not copied) under
     * the model's shape.
     */
    public Tensor toModel(Tensor input) {
        if (!reshaped() || !api.accepts(input.shape())) {
            return input;
        }
        return new Tensor(input.name(), input.datatype(), carried(input.shape(), api.shape(), model.shape()),
                input.raw());
    }

    /** {@code output}, computed by the graph in the model shape, in the API shape: the same values, not copied. */
    public Tensor toApi(Tensor output) {
        if (!reshaped()) {
            return output;
        }
        return new Tensor(output.name(), output.datatype(), carried(output.shape(), model.shape(), api.shape()),
                output.raw());
    }

    /**
     * {@code to} with its dimensions of any size set to the sizes {@code actual} has where {@code from} has them,
     * the k-th to the k-th.
     */
    private static long[] carried(long[] actual, List<Long> from, List<Long> to) {
        if (actual.length != from.size()) {
            // The graph's output of another rank than it declares: ONNX Runtime's answer, not the request's fault.
            throw new IllegalStateException("a tensor of shape " + Arrays.toString(actual) + " where the graph"
                    + " declares " + from);
        }
        long[] sizes = new long[actual.length];
        int variable = 0;
        for (int d = 0; d < actual.length; d++) {
            if (from.get(d) == -1) {
                sizes[variable++] = actual[d];
            }
        }
        long[] shape = new long[to.size()];
        int next = 0;
        for (int d = 0; d < shape.length; d++) {
            // As many of any size in each: the constructor checked.
            shape[d] = to.get(d) == -1 ? sizes[next++] : to.get(d);
        }
        return shape;
    }
}
