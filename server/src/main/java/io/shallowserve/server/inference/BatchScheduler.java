package io.shallowserve.server.inference;

import ai.onnxruntime.OrtException;
import io.shallowserve.runtime.exec.ExecutionPlan;
import io.shallowserve.runtime.exec.PlanResult;
import io.shallowserve.runtime.tensor.Tensor;
import io.shallowserve.server.repository.ModelSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue in front of one model version's execution instances, and the dynamic batcher. Each instance has a
 * platform thread of its own that takes the next batch off the queue (one request when batching is off; with
 * batching, the queued requests {@link BatchPolicy} says to take), runs it and completes every request
 * in it with exactly its own rows of the output. Requests never run on the thread that submitted them: a
 * protocol's request threads (virtual threads, event loops) only wait, so health checks and admission stay
 * responsive however heavy the models.
 *
 * <p>Admission comes first and is cheap: {@link #admit()} takes one of {@code maxQueued} places beyond those the
 * instances are running, or refuses at once (RESOURCE_EXHAUSTED), before the request's tensors are decoded; so
 * overload shows as fast refusals a client can retry elsewhere instead of as growing latency. A request whose
 * deadline passed while it waited, or whose future was cancelled (its client went away), is not executed.
 */
final class BatchScheduler implements AutoCloseable {

    /**
     * What one request got from the batch it ran in.
     *
     * @param outputs      every output of the model, the request's own rows of each
     * @param queueNanos   from queueing to the start of its batch
     * @param computeNanos the run of its batch
     */
    record Executed(List<Tensor> outputs, long queueNanos, long computeNanos) {}

    private final String id;
    private final List<ExecutionPlan> instances;
    private final List<Thread> workers;
    private final BatchPolicy policy;
    private final int maxQueued;
    private final int maxAdmitted;
    /** How long a request may wait in the queue; 0: as long as its client waits. */
    private final long queueTimeoutNanos;
    private final VersionMetrics metrics;
    /** Requests admitted and not yet completed: queued, running, or still being decoded by their front-end. */
    private final AtomicInteger admitted = new AtomicInteger();
    /** Guards the queue and {@link #closing}; instances wait on {@link #work} for something to run. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean closing;

    /**
     * Starts one thread per instance.
     *
     * @param id             "model/version", for messages and thread names
     * @param instances      the execution instances; closed with this scheduler
     * @param maxBatchImages the most rows (images) one batch may carry
     * @param maxQueued      requests that may wait beyond those the instances run
     * @param queueTimeout   how long a request may wait in the queue before it is refused, UNAVAILABLE as Triton
     *                       refuses it (a queue policy's timeout); zero: as long as its client waits
     */
    BatchScheduler(String id, List<ExecutionPlan> instances, ModelSettings.Batching batching, int maxBatchImages,
            int maxQueued, Duration queueTimeout, VersionMetrics metrics) {
        this.id = id;
        this.instances = List.copyOf(instances);
        this.policy = new BatchPolicy(batching, maxBatchImages);
        this.maxQueued = maxQueued;
        this.maxAdmitted = maxQueued + instances.size();
        this.queueTimeoutNanos = queueTimeout.toNanos();
        this.metrics = metrics;
        List<Thread> started = new ArrayList<>(instances.size());
        for (int i = 0; i < instances.size(); i++) {
            ExecutionPlan instance = instances.get(i);
            started.add(Thread.ofPlatform().daemon().name("shallowserve-" + id.replace(' ', '-') + "-instance-" + i)
                    .start(() -> serve(instance)));
        }
        this.workers = List.copyOf(started);
    }

    /**
     * Takes a place for one request, to be used by {@link #submit} or given back by {@link #abandon()}.
     *
     * @throws InferenceException RESOURCE_EXHAUSTED when {@code maxQueued} requests already wait
     */
    void admit() throws InferenceException {
        while (true) {
            int current = admitted.get();
            if (current >= maxAdmitted) {
                throw new InferenceException(InferenceException.Status.RESOURCE_EXHAUSTED, "model " + id
                        + " has " + maxQueued + " requests waiting, its limit; retry later or add replicas");
            }
            if (admitted.compareAndSet(current, current + 1)) {
                return;
            }
        }
    }

    /** Whether {@link #admit()} would take a place now. */
    boolean hasRoom() {
        return admitted.get() < maxAdmitted;
    }

    /** Gives back a place {@link #admit()} took for a request that will not be submitted. */
    void abandon() {
        admitted.decrementAndGet();
    }

    /**
     * Queues one request's inputs, {@code images} rows of each, in a place {@link #admit()} took. The future
     * completes on an instance thread with its rows of every output, or with an {@link InferenceException};
     * cancelling it takes the request out of the
     * queue if it has not started.
     *
     * @param deadlineNanoTime {@link System#nanoTime()} after which the client no longer waits, or
     *                         {@link Long#MAX_VALUE}
     */
    CompletableFuture<Executed> submit(List<Tensor> inputs, int images, long deadlineNanoTime) {
        long now = System.nanoTime();
        Pending pending = new Pending(inputs, images, now, deadlineNanoTime,
                queueTimeoutNanos > 0 ? now + queueTimeoutNanos : Long.MAX_VALUE);
        if (passed(deadlineNanoTime, now)) {
            finish(pending, deadlineExceeded("its deadline passed before it was queued"));
            return pending.future;
        }
        lock.lock();
        try {
            if (closing) {
                finish(pending, new InferenceException(InferenceException.Status.UNAVAILABLE, "model " + id
                        + " is being unloaded; send the request again"));
                return pending.future;
            }
            queue.addLast(pending);
            // Wakes one waiting instance; one that waits for a fuller batch checks again.
            work.signal();
        } finally {
            lock.unlock();
        }
        pending.future.whenComplete((executed, failure) -> {
            if (pending.future.isCancelled()) {
                withdraw(pending);
            }
        });
        return pending.future;
    }

    /** Requests waiting for a batch now. */
    int waiting() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Refuses what is still queued (UNAVAILABLE), waits for the batches running to finish, stops the instance threads
     * and closes every instance.
     */
    @Override
    public void close() {
        List<Pending> refused;
        lock.lock();
        try {
            closing = true;
            refused = new ArrayList<>(queue);
            queue.clear();
            work.signalAll();
        } finally {
            lock.unlock();
        }
        InferenceException unloaded = new InferenceException(InferenceException.Status.UNAVAILABLE, "model " + id
                + " was unloaded before the request ran; send it again");
        refused.forEach(pending -> finish(pending, unloaded));
        boolean interrupted = false;
        for (Thread worker : workers) {
            while (worker != Thread.currentThread() && worker.isAlive()) {
                try {
                    worker.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        instances.forEach(ExecutionPlan::close);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** An instance's thread: takes batches off the queue and runs them until the scheduler closes. */
    private void serve(ExecutionPlan instance) {
        List<Pending> expired = new ArrayList<>();
        lock.lock();
        try {
            while (!closing) {
                dropExpired(System.nanoTime(), expired);
                if (!expired.isEmpty()) {
                    lock.unlock();
                    try {
                        completeExpired(expired);
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                if (queue.isEmpty()) {
                    work.awaitUninterruptibly();
                    continue;
                }
                BatchPolicy.Decision next = policy.next(queue, System.nanoTime());
                if (next.waits()) {
                    work.awaitNanos(next.waitNanos());
                    continue;
                }
                List<Pending> batch = take(next.requests());
                if (!queue.isEmpty()) {
                    // The rest may make a batch for another instance.
                    work.signal();
                }
                lock.unlock();
                try {
                    execute(instance, batch);
                } finally {
                    lock.lock();
                }
            }
        } catch (InterruptedException e) {
            // Nobody interrupts these threads but a JVM going down.
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Takes the first {@code count} requests off the queue as the next batch; holding the lock. */
    private List<Pending> take(int count) {
        List<Pending> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            batch.add(queue.removeFirst());
        }
        return batch;
    }

    /** Runs one batch and completes each request with its rows, or the failure. */
    private void execute(ExecutionPlan instance, List<Pending> batch) {
        int images = batch.stream().mapToInt(Pending::images).sum();
        long merge = System.nanoTime();
        List<Tensor> inputs = batch.size() == 1 ? batch.getFirst().inputs : concatenate(batch);
        long start = System.nanoTime();
        PlanResult result;
        try {
            result = instance.run(inputs);
        } catch (OrtException | RuntimeException e) {
            InferenceException failure = new InferenceException(InferenceException.Status.INTERNAL, "model " + id
                    + " failed to run a batch of " + images + (images == 1 ? " row: " : " rows: ") + e.getMessage(), e);
            batch.forEach(pending -> finish(pending, failure));
            return;
        }
        long end = System.nanoTime();
        List<Executed> rows = new ArrayList<>(batch.size());
        int row = 0;
        for (Pending pending : batch) {
            List<Tensor> outputs = result.outputs();
            if (batch.size() > 1) {
                int from = row;
                outputs = outputs.stream().map(output -> output.rows(from, from + pending.images())).toList();
            }
            rows.add(new Executed(outputs, start - pending.queuedNanos(), end - start));
            row += pending.images();
        }
        metrics.executed(images, batch.size(), start - merge, end - start, System.nanoTime() - end,
                result.branchNanos());
        for (int i = 0; i < batch.size(); i++) {
            admitted.decrementAndGet();
            // Runs the request's callbacks on this thread: its outputs are built and its answer sent from here.
            batch.get(i).future.complete(rows.get(i));
        }
    }

    /** Each input of the batch's requests, one after the other along the batch dimension. */
    private static List<Tensor> concatenate(List<Pending> batch) {
        int inputs = batch.getFirst().inputs.size();
        List<Tensor> merged = new ArrayList<>(inputs);
        for (int i = 0; i < inputs; i++) {
            int input = i;
            merged.add(Tensor.concatenateRows(batch.stream().map(pending -> pending.inputs.get(input)).toList()));
        }
        return merged;
    }

    /** Moves the queued requests whose deadline passed to {@code expired}; holding the lock. */
    private void dropExpired(long now, List<Pending> expired) {
        for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
            Pending pending = it.next();
            if (passed(pending.deadlineNanoTime, now) || passed(pending.queueDeadlineNanoTime, now)) {
                it.remove();
                expired.add(pending);
            }
        }
    }

    /** Whether {@code nanoTime} (a deadline; Long.MAX_VALUE for none) has passed at {@code now}. */
    private static boolean passed(long nanoTime, long now) {
        return nanoTime != Long.MAX_VALUE && now - nanoTime >= 0;
    }

    /**
     * Completes expired requests, without the lock: their callbacks may answer clients. A client's deadline is
     * DEADLINE_EXCEEDED; the queue's timeout UNAVAILABLE, as Triton answers it ("Request timeout expired").
     */
    private void completeExpired(List<Pending> expired) {
        long now = System.nanoTime();
        for (Pending pending : expired) {
            long waitedMicros = (now - pending.queuedNanos()) / 1000;
            finish(pending, passed(pending.deadlineNanoTime, now)
                    ? deadlineExceeded("its deadline passed after " + waitedMicros + " µs waiting in the queue")
                    : new InferenceException(InferenceException.Status.UNAVAILABLE, "request for model " + id
                            + " not executed: its queue timeout of " + queueTimeoutNanos / 1000 + " µs passed"
                            + " (dynamic_batching default_queue_policy); retry later or add replicas"));
        }
        expired.clear();
    }

    /** Takes a cancelled request out of the queue, unless an instance already took it. */
    private void withdraw(Pending pending) {
        boolean removed;
        lock.lock();
        try {
            removed = queue.remove(pending);
        } finally {
            lock.unlock();
        }
        if (removed) {
            admitted.decrementAndGet();
        }
    }

    /** Completes a request that will not run, or whose batch failed, giving its place back. */
    private void finish(Pending pending, InferenceException failure) {
        admitted.decrementAndGet();
        pending.future.completeExceptionally(failure);
    }

    private InferenceException deadlineExceeded(String when) {
        return new InferenceException(InferenceException.Status.DEADLINE_EXCEEDED,
                "request for model " + id + " not executed: " + when);
    }

    /** One admitted request, from {@link #submit} until its future completes. */
    private static final class Pending implements BatchPolicy.Queued {
        /** In the model's input order, so that the inputs of a batch's requests line up. */
        final List<Tensor> inputs;
        private final int images;
        private final long queuedNanos;
        final long deadlineNanoTime;
        /** When its queue timeout passes, or Long.MAX_VALUE. */
        final long queueDeadlineNanoTime;
        final CompletableFuture<Executed> future = new CompletableFuture<>();

        Pending(List<Tensor> inputs, int images, long queuedNanos, long deadlineNanoTime,
                long queueDeadlineNanoTime) {
            this.inputs = inputs;
            this.images = images;
            this.queuedNanos = queuedNanos;
            this.deadlineNanoTime = deadlineNanoTime;
            this.queueDeadlineNanoTime = queueDeadlineNanoTime;
        }

        @Override
        public int images() {
            return images;
        }

        @Override
        public long queuedNanos() {
            return queuedNanos;
        }
    }
}
