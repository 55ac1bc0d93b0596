/**
 * {@code trainer sweep}: both shapes of many specs, trained and measured the same way, one pair at a time.
 *
 * <p>A {@link io.shallowserve.trainer.sweep.SweepGrid} lists the axes (data set, units L, width C, kernel size,
 * activation, seed) and the {@link io.shallowserve.trainer.sweep.SweepSettings} every run shares. Each
 * {@link io.shallowserve.trainer.sweep.SweepPoint} is trained deep and shallow on the same split with the same seed
 * ({@link io.shallowserve.trainer.train.ModelTraining}, so each is exported as a model-repository version), the pair's
 * in-process latency is measured, and two {@link io.shallowserve.trainer.sweep.SweepRow}s are appended to the
 * results folder ({@link io.shallowserve.trainer.sweep.SweepResults}). A pair whose rows are there is skipped, so a
 * stopped sweep resumes where it stopped.
 */
package io.shallowserve.trainer.sweep;
