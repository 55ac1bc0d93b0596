/**
 * Gatling over HTTP: a simulation of the REST infer path (open and closed workload models, one step after another,
 * bounded in time, Gatling's warm-up call disabled, an assertion on the error rate), run in-process, and its
 * statistics read back into the driver's summaries. Gatling records whole milliseconds.
 */
package io.shallowserve.loadtest.gatling;
