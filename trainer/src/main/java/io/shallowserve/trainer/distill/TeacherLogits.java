package io.shallowserve.trainer.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;
import io.shallowserve.runtime.data.ImageDataset;
import io.shallowserve.trainer.train.TrainingTarget;

/**
 * The teacher's logits for every training image as the student's target, under L2 loss: regressing on logits
 * keeps what the softmax would flatten (how much the teacher prefers one wrong class to another).
 */
final class TeacherLogits implements TrainingTarget {

    private final float[] logits;
    private final int classes;

    /** @param logits row-major [training images x classes], in the training split's order */
    TeacherLogits(float[] logits, int classes) {
        this.logits = logits.clone();
        this.classes = classes;
    }

    /** Half the mean squared difference (DJL's L2 loss). */
    @Override
    public Loss loss() {
        return Loss.l2Loss();
    }

    @Override
    public NDArray targets(NDManager batch, ImageDataset selected, int[] indices) {
        float[] rows = new float[indices.length * classes];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(logits, indices[i] * classes, rows, i * classes, classes);
        }
        return batch.create(rows, new Shape(indices.length, classes));
    }
}
