package io.shallowserve.runtime.tensor;

import java.util.List;

/**
 * What a model declares for one of its inputs or outputs: its name, datatype and shape, with -1 for a dimension of
 * any size (the batch, where the first dimension is one).
 */
public record TensorSpec(String name, Datatype datatype, List<Long> shape) {

    public TensorSpec {
        // model.json may leave it out; the repository's checks then say so.
        shape = shape == null ? List.of() : List.copyOf(shape);
    }

    /** Whether {@code dims} has this shape: the same rank, and every fixed dimension equal. */
    public boolean accepts(long[] dims) {
        if (dims.length != shape.size()) {
            return false;
        }
        for (int d = 0; d < dims.length; d++) {
            if (shape.get(d) != -1 && shape.get(d) != dims[d]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the first dimension is of any size: requests of one or more rows batch along it. */
    public boolean batched() {
        return !shape.isEmpty() && shape.getFirst() == -1;
    }

    /** The shape with the first dimension set to {@code batch} and any other dimension of any size set to 1. */
    public long[] shapeOf(int batch) {
        long[] dims = new long[shape.size()];
        for (int d = 0; d < dims.length; d++) {
            long declared = shape.get(d);
            dims[d] = declared != -1 ? declared : d == 0 ? batch : 1;
        }
        return dims;
    }
}
