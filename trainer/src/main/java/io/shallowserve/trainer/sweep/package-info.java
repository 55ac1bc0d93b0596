/**
 * {@code trainer sweep}: many specs, each in several shapes, trained and measured the same way, one run at a time.
 *
 * <p>A {@link io.shallowserve.trainer.sweep.SweepGrid} lists the axes (data set, units L, width C, kernel size,
 * activation, seed), the {@link io.shallowserve.trainer.sweep.SweepShape}s every point is trained in (deep and
 * shallow, the paper's pair, and optionally shallow-mean and tat) and the
 * {@link io.shallowserve.trainer.sweep.SweepSettings} every run shares. Each
 * {@link io.shallowserve.trainer.sweep.SweepPoint} is trained in each shape on the same split with the same seed
 * ({@link io.shallowserve.trainer.train.ModelTraining}, so each is exported as a model-repository version), the deep
 * and shallow pair's in-process latency is measured if the grid asks for it, and a
 * {@link io.shallowserve.trainer.sweep.SweepRow} per run is appended to the results folder
 * ({@link io.shallowserve.trainer.sweep.SweepResults}). A run whose row is there is skipped, so a stopped sweep
 * resumes where it stopped.
 */
package io.shallowserve.trainer.sweep;
