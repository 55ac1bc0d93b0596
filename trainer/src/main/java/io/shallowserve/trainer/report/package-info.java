/**
 * {@code trainer report}: turns a sweep's rows (and a distillation result) into {@code report.md} and a
 * self-contained {@code report.html} with inline SVG plots: the paper's comparison binned by the determination ratio
 * Q ({@link io.shallowserve.trainer.report.DeterminationBins}), train against validation loss of both shapes, the
 * accuracy-latency frontier ({@link io.shallowserve.trainer.report.Frontier}), and a plain statement of what the
 * numbers say ({@link io.shallowserve.trainer.report.Findings}). A sweep of more shapes than deep and shallow also
 * gets every shape against deep ({@link io.shallowserve.trainer.report.ShapeComparison}).
 *
 * <p>The report holds no time stamp and no number the rows do not hold, so the same rows always give the same files:
 * committed results can be checked against the code by making the report again.
 */
package io.shallowserve.trainer.report;
