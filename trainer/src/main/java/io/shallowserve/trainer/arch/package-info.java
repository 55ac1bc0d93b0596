/**
 * One architecture spec, two wirings: the deep residual stack and the parallel-shallow sum of the same units,
 * built as DJL blocks.
 */
package io.shallowserve.trainer.arch;
