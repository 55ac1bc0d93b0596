/**
 * {@code trainer distill}: mimic learning after Ba and Caruana ("Do Deep Nets Really Need to be Deep?", 2014). A
 * shallow student learns a trained deep teacher's logits by L2 regression instead of the labels; it is compared with
 * the same shallow shape trained on the labels with the same seed and options, and with the teacher.
 *
 * <p>The teacher is an exported model ({@link io.shallowserve.trainer.distill.OnnxTeacher}: a model-repository version
 * run in ONNX Runtime, e.g. the committed models/fashion-deep/1), so any model the trainer wrote can teach. The
 * student can train its head through a linear bottleneck of rank r; the bottleneck is folded into the head's dense
 * layer at export, so the student's graph and parameter count at inference are the spec's.
 *
 * <p>As in Ba and Caruana's CIFAR-10 runs, the mimic can learn from more images than the labels cover
 * ({@link io.shallowserve.trainer.distill.DistillationData}): training images held out of the labels, which the
 * teacher (trained on the labelled ones only) scores, and moved copies of the images
 * ({@link io.shallowserve.trainer.distill.AugmentedCopies}).
 */
package io.shallowserve.trainer.distill;
