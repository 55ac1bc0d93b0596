/** Training with DJL on the CPU: data splits, the training loop, evaluation, and the run that writes a model. */
package io.shallowserve.trainer.train;
