package io.shallowserve.server.inference;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.PlanResult;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.runtime.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * A real execution plan whose runs a test can hold at the door: while {@link #hold()} is in force a run waits
 * until {@link #open()}, so that a test decides what is queued while every instance is busy, instead of racing
 * the runs. It records the batch size of every run.
 */
final class GatedPlan implements ExecutionPlan {

    private final ExecutionPlan plan;
    private final Semaphore entered = new Semaphore(0);
    /** Guarded by this. */
    private final List<Integer> batches = new ArrayList<>();
    /** The threads the runs ran on; guarded by this. */
    private final List<Thread> threads = new ArrayList<>();
    private boolean held;

    GatedPlan(ExecutionPlan plan) {
        this.plan = plan;
    }

    /** Runs from now on wait at the door. */
    synchronized void hold() {
        held = true;
    }

    /** Lets every waiting and later run through. */
    synchronized void open() {
        held = false;
        notifyAll();
    }

    /** Waits until a run reached the door (held or not). */
    void awaitRun() throws InterruptedException {
        entered.acquire();
    }

    /** The thread of every run so far, in order. */
    synchronized List<Thread> threads() {
        return List.copyOf(threads);
    }

    /** The batch size of every run so far, in order. */
    synchronized List<Integer> batches() {
        return List.copyOf(batches);
    }

    @Override
    public String name() {
        return plan.name();
    }

    @Override
    public List<TensorSpec> inputs() {
        return plan.inputs();
    }

    @Override
    public List<TensorSpec> outputs() {
        return plan.outputs();
    }

    @Override
    public PlanResult run(List<Tensor> inputs) throws OrtException {
        synchronized (this) {
            batches.add((int) inputs.getFirst().shape()[0]);
            threads.add(Thread.currentThread());
            entered.release();
            while (held) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw new OrtException("interrupted at the door");
                }
            }
        }
        return plan.run(inputs);
    }

    @Override
    public void close() {
        plan.close();
    }
}
