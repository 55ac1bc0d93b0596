package io.shallowserve.trainer.export;

/** Predicted classes from row-major logits. */
public final class Predictions {

    private Predictions() {
    }

    /** The index of the largest logit in each row of {@code classes} values. */
    public static int[] argmax(float[] logits, int classes) {
        int[] predicted = new int[logits.length / classes];
        for (int row = 0; row < predicted.length; row++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[row * classes + c] > logits[row * classes + best]) {
                    best = c;
                }
            }
            predicted[row] = best;
        }
        return predicted;
    }
}
