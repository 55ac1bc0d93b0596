package io.shallowserve.trainer.distill;

import io.shallowserve.trainer.train.Evaluation;

/**
 * Scores of row-major logits, computed the same way for the teacher (from ONNX Runtime) and the students (from
 * DJL), so the three are measured alike.
 */
final class LogitScores {

    private LogitScores() {
    }

    /** Mean softmax cross-entropy against the labels, and accuracy. */
    static Evaluation evaluate(float[] logits, int[] labels, int classes) {
        double lossSum = 0;
        int correct = 0;
        for (int row = 0; row < labels.length; row++) {
            int offset = row * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[offset + c]);
            }
            // log-sum-exp shifted by the largest logit, so large logits do not overflow.
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[offset + c] - max);
            }
            lossSum += max + Math.log(sum) - logits[offset + labels[row]];
            if (argmax(logits, offset, classes) == labels[row]) {
                correct++;
            }
        }
        return new Evaluation(lossSum / labels.length, (double) correct / labels.length);
    }

    /** Fraction of rows whose largest logit is the same class in both. */
    static double agreement(float[] logits, float[] reference, int classes) {
        int rows = logits.length / classes;
        int same = 0;
        for (int row = 0; row < rows; row++) {
            if (argmax(logits, row * classes, classes) == argmax(reference, row * classes, classes)) {
                same++;
            }
        }
        return (double) same / rows;
    }

    /** Mean squared difference per logit: how closely one network reproduces the other's logits. */
    static double meanSquaredDifference(float[] logits, float[] reference) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            double difference = logits[i] - reference[i];
            sum += difference * difference;
        }
        return sum / logits.length;
    }

    private static int argmax(float[] logits, int offset, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[offset + c] > logits[offset + best]) {
                best = c;
            }
        }
        return best;
    }
}
