package io.shallowserve.runtime.exec;

/** Reading and comparing logits [batch x classes] in tests of every module. */
public final class Logits {

    private Logits() {}

    /** The class with the highest logit for one image. */
    public static int argmax(float[] logits, int image, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[image * classes + c] > logits[image * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    /** The class with the highest logit for every image. */
    public static int[] argmaxEach(float[] logits, int classes) {
        int[] predicted = new int[logits.length / classes];
        for (int image = 0; image < predicted.length; image++) {
            predicted[image] = argmax(logits, image, classes);
        }
        return predicted;
    }

    /** The largest |logit|: tolerances are relative to it. */
    public static float maxAbs(float[] values) {
        float max = 0;
        for (float value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }

    /** The largest absolute difference between two arrays of logits of one length. */
    public static float maxDifference(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new AssertionError("expected " + expected.length + " logits, got " + actual.length);
        }
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        return max;
    }
}
