package io.shallowserve.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import io.shallowserve.runtime.data.ImageDataset;

/**
 * What a network learns to output for a batch of training images, and the loss that measures how far it is:
 * the class labels under softmax cross-entropy ({@link #CLASS_LABELS}, what every model is trained on), or, for
 * mimic learning, a teacher's logits under L2.
 */
public interface TrainingTarget {

    /** The images' class labels, softmax cross-entropy. */
    TrainingTarget CLASS_LABELS = new TrainingTarget() {
        @Override
        public Loss loss() {
            return Loss.softmaxCrossEntropyLoss();
        }

        @Override
        public NDArray targets(NDManager batch, ImageDataset selected, int[] indices) {
            return batch.create(selected.labels());
        }
    };

    /** The loss between the network's logits (prediction) and {@link #targets} (label). */
    Loss loss();

    /**
     * The targets of one batch.
     *
     * @param batch    manager the array belongs to; it is closed after the step
     * @param selected the batch's images, in batch order
     * @param indices  where each image of {@code selected} sits in the training split
     */
    NDArray targets(NDManager batch, ImageDataset selected, int[] indices);
}
