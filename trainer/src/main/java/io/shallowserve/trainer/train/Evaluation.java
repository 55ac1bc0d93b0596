package io.shallowserve.trainer.train;

/** Mean cross-entropy loss and accuracy of a network over a data set. */
public record Evaluation(double loss, double accuracy) {}
