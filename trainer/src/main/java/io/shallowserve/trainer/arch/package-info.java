/**
 * One architecture spec, three wirings built as DJL blocks: the deep residual stack, the parallel-shallow sum of the
 * same units, and the tat chain of the same units without shortcuts or batch norm, its leaky-ReLU slope solved by
 * {@link io.shallowserve.trainer.arch.TatSlope}.
 */
package io.shallowserve.trainer.arch;
