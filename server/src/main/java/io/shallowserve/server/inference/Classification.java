package io.shallowserve.server.inference;

import io.shallowserve.runtime.tensor.Datatype;
import io.shallowserve.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The classification extension: an output asked for with a top-k is answered with the k best classes of each row,
 * as strings, in place of the values.
 */
final class Classification {

    private Classification() {
    }

    /**
     * {@code output} as Triton's classification extension writes it: BYTES of shape [rows, k], per row the k highest
     * values as "value:index:label" ("value:index" where the model has no labels), highest first (the lower index
     * first among equal values), the value formatted like C++'s std::to_string (six decimals).
     *
     * @param output a numeric [rows x classes] tensor
     * @param labels the class names by index; empty where the model has none
     */
    static Tensor output(Tensor output, int k, List<String> labels) {
        int rows = (int) output.shape()[0];
        int classes = (int) output.shape()[1];
        // A graph whose classes dimension is of any size may return fewer classes than asked for.
        k = Math.min(k, classes);
        List<String> strings = new ArrayList<>(rows * k);
        Integer[] order = new Integer[classes];
        double[] values = output.numbers();
        for (int row = 0; row < rows; row++) {
            int first = row * classes;
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> Double.compare(values[first + b], values[first + a]));
            for (int rank = 0; rank < k; rank++) {
                int c = order[rank];
                double score = values[first + c];
                String value = output.datatype() == Datatype.FP32 || output.datatype() == Datatype.FP16
                        || output.datatype() == Datatype.FP64 ? String.format(Locale.ROOT, "%f", score)
                        : Long.toString((long) score);
                strings.add(labels.isEmpty() ? value + ":" + c : value + ":" + c + ":" + labels.get(c));
            }
        }
        return Tensor.ofStrings(output.name(), new long[] {rows, k}, strings);
    }
}
