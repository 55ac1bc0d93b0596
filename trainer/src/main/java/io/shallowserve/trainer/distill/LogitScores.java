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

    /**
     * The accuracy of {@code logits} less that of {@code reference} on the same labelled images, with the half-width
     * of its 95% interval. Paired: only the images one gets right and the other wrong carry the difference, so two
     * networks that agree on most images are told apart by far smaller differences than two independent test sets
     * would allow (the normal approximation of McNemar's test: 1.96 standard errors of the mean per-image
     * difference, each -1, 0 or 1).
     */
    static DistillationResult.AccuracyDifference accuracyDifference(float[] logits, float[] reference, int[] labels,
            int classes) {
        int onlyThis = 0;
        int onlyReference = 0;
        for (int row = 0; row < labels.length; row++) {
            boolean right = argmax(logits, row * classes, classes) == labels[row];
            boolean referenceRight = argmax(reference, row * classes, classes) == labels[row];
            if (right && !referenceRight) {
                onlyThis++;
            } else if (referenceRight && !right) {
                onlyReference++;
            }
        }
        double images = labels.length;
        double difference = (onlyThis - onlyReference) / images;
        double variance = (onlyThis + onlyReference) / images - difference * difference;
        return new DistillationResult.AccuracyDifference(difference, 1.96 * Math.sqrt(variance / images));
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
