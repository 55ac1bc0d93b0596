package io.shallowserve.server.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The classification extension: an output asked for with a top-k is answered with the k best classes of each
 * image, as strings, in place of the logits.
 */
final class Classification {

    private static final String BYTES = "BYTES";

    private Classification() {
    }

    /**
     * The output {@code name} as Triton's classification extension writes it: BYTES of shape [batch, k], per image
     * the k highest logits as "score:index:label", highest first (the lower index first among equal scores), the
     * score being the raw output value formatted like C++'s std::to_string (six decimals).
     *
     * @param logits [batch x labels.size()] row-major
     * @param labels the class names by index
     */
    static InferOutput output(String name, float[] logits, int batch, int k, List<String> labels) {
        int classes = labels.size();
        List<String> strings = new ArrayList<>(batch * k);
        Integer[] order = new Integer[classes];
        for (int image = 0; image < batch; image++) {
            int row = image * classes;
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[row + b], logits[row + a]));
            for (int rank = 0; rank < k; rank++) {
                int c = order[rank];
                strings.add(String.format(Locale.ROOT, "%f:%d:%s", logits[row + c], c, labels.get(c)));
            }
        }
        return new InferOutput(name, BYTES, new long[] {batch, k}, null, strings);
    }
}
