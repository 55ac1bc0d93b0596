package io.shallowserve.loadtest.report;

import io.shallowserve.loadtest.driver.LatencySummary;

/**
 * One step of the deep-against-shallow rounds: a served model at one request in flight over gRPC (driver), requests of
 * {@code batch} images, in round {@code round}.
 *
 * @param served  the model and plan
 * @param batch   images per request
 * @param round   1, 2, ...: every served model ran once per round, one after the other
 * @param summary what came back
 */
public record RoundStep(ServedModel served, int batch, int round, LatencySummary summary) {}
