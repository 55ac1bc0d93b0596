/**
 * What the trainer's research report and the load tests' latency report both write with: a {@link
 * io.shallowserve.runtime.report.Table} as Markdown or HTML, and {@link io.shallowserve.runtime.report.Html} escaping.
 * Deterministic: the same input always gives the same text, so committed reports can be checked against the code.
 */
package io.shallowserve.runtime.report;
