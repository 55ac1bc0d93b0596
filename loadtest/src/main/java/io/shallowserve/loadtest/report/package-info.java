/**
 * The comparison's results as one model (records), and the report made of them: {@code report.md},
 * {@code report.html} (self-contained: the tables and inline SVG plots drawn here, no script, nothing fetched) and
 * {@code results.json}.
 */
package io.shallowserve.loadtest.report;
