package io.shallowserve.runtime.exec;

/**
 * What one run of a plan produced.
 *
 * @param logits      [batch x classes], row-major
 * @param branchNanos compute time of each branch session, by branch index; empty for the single plan
 */
public record PlanResult(float[] logits, long[] branchNanos) {}
