package io.shallowserve.runtime.report;

/**
 * A tick on an axis.
 *
 * @param value where it is, in the axis's data units
 * @param label what is written at it
 */
public record Tick(double value, String label) {}
