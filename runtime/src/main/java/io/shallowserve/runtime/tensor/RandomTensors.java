package io.shallowserve.runtime.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random inputs for a graph, the same on every call: what every plan is timed on and what every graph rewritten or cut
 * at load time is checked on. The cost of these graphs hardly depends on the values, and one fixed input keeps runs
 * comparable and a failed check repeatable.
 */
public final class RandomTensors {

    private RandomTensors() {}

    /**
     * Tensors of {@code batch} rows for {@code specs} ({@link TensorSpec#shapeOf}: a dimension of any size other than
     * the batch is 1). Floating-point values are in [0, 1), as pixels are; integers are 0 or 1, valid as indices into
     * any axis; BYTES elements are short strings of digits.
     */
    public static List<Tensor> of(List<TensorSpec> specs, int batch) {
        SplittableRandom random = new SplittableRandom(1);
        List<Tensor> tensors = new ArrayList<>(specs.size());
        for (TensorSpec spec : specs) {
            long[] shape = spec.shapeOf(batch);
            int count = Math.toIntExact(Tensor.elementCount(shape));
            if (spec.datatype() == Datatype.BYTES) {
                List<String> strings = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    strings.add(Integer.toString(random.nextInt(1000)));
                }
                tensors.add(Tensor.ofStrings(spec.name(), shape, strings));
                continue;
            }
            ByteBuffer values = ByteBuffer.allocate(count * spec.datatype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < count; i++) {
                switch (spec.datatype()) {
                    case FP16 -> values.putShort(Float.floatToFloat16((float) random.nextDouble()));
                    case FP32 -> values.putFloat((float) random.nextDouble());
                    case FP64 -> values.putDouble(random.nextDouble());
                    default -> putInteger(values, spec.datatype().byteSize(), random.nextInt(2));
                }
            }
            tensors.add(new Tensor(spec.name(), spec.datatype(), shape, values.array()));
        }
        return tensors;
    }

    private static void putInteger(ByteBuffer values, int bytes, int value) {
        switch (bytes) {
            case 1 -> values.put((byte) value);
            case 2 -> values.putShort((short) value);
            case 4 -> values.putInt(value);
            default -> values.putLong(value);
        }
    }
}
