package io.shallowserve.runtime.exec;

import io.shallowserve.runtime.tensor.Tensor;
import java.util.List;

/**
 * What one run of a plan produced.
 *
 * @param outputs     one tensor per output of the plan, in the order of {@link ExecutionPlan#outputs()}
 * @param branchNanos compute time of each branch session, by branch index; empty for a plan without branches
 */
public record PlanResult(List<Tensor> outputs, long[] branchNanos) {

    public PlanResult {
        outputs = List.copyOf(outputs);
    }
}
