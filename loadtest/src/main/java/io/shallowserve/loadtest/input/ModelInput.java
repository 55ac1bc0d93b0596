package io.shallowserve.loadtest.input;

import io.shallowserve.runtime.tensor.Datatype;
import java.util.List;

/**
 * The input tensor a model declares in its metadata (Open Inference Protocol): the generators send image batches, so
 * only FP32 NCHW inputs with a variable or fixed batch dimension are usable.
 *
 * @param name     the input tensor's name
 * @param datatype its Open Inference Protocol data type
 * @param shape    its shape, -1 for a variable dimension
 */
public record ModelInput(String name, String datatype, List<Long> shape) {

    public ModelInput {
        shape = List.copyOf(shape);
        if (!Datatype.FP32.name().equals(datatype)) {
            throw new IllegalArgumentException("input " + name + " is " + datatype + "; the load generators send FP32");
        }
        if (shape.size() != 4 || shape.subList(1, 4).stream().anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("input " + name + " has shape " + shape
                    + "; the load generators send image batches [batch, channels, height, width]");
        }
    }

    public int channels() {
        return Math.toIntExact(shape.get(1));
    }

    public int height() {
        return Math.toIntExact(shape.get(2));
    }

    public int width() {
        return Math.toIntExact(shape.get(3));
    }

    /** The shape of a request carrying {@code batch} images. */
    public long[] shapeOf(int batch) {
        long declared = shape.getFirst();
        if (declared > 0 && declared != batch) {
            throw new IllegalArgumentException("input " + name + " takes batches of exactly " + declared
                    + " images, not " + batch);
        }
        return new long[] {batch, channels(), height(), width()};
    }
}
