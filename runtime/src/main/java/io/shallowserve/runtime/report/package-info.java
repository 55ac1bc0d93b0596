/**
 * What the trainer's research report and the load tests' latency report both write with: a {@link
 * io.shallowserve.runtime.report.Table} as Markdown or HTML, {@link io.shallowserve.runtime.report.Html} escaping, and
 * the parts every SVG chart has: the document ({@link io.shallowserve.runtime.report.Svg}), the plot's rectangle with
 * its grid, tick labels, frame and axis titles ({@link io.shallowserve.runtime.report.PlotArea}), data-to-pixel
 * {@link io.shallowserve.runtime.report.Scale}s and the palette ({@link io.shallowserve.runtime.report.Colors}). What
 * makes a chart that chart (its axis ranges, markers, lines and legend) stays with it.
 *
 * <p>Deterministic: the same input always gives the same text, so committed reports can be checked against the code.
 */
package io.shallowserve.runtime.report;
