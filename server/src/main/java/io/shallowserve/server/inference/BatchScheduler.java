package io.shallowserve.server.inference;

import ai.onnxruntime.OrtException;
import io.shallowserve.server.exec.ExecutionPlan;
import io.shallowserve.server.exec.PlanResult;
import io.shallowserve.server.repository.ModelSettings;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue in front of one model version's execution instances, and the dynamic batcher. Requests wait in order;
 * when an instance is free, the request at the head forms a batch (itself alone when batching is off; with
 * batching, the queued requests {@link ModelSettings.Batching} says to take), runs it on its own thread and hands
 * every request in it exactly its own rows of the output. Running the batch on a caller's thread, not on a
 * scheduler thread, keeps a request that finds an idle instance from paying for a hand-off.
 *
 * <p>At most {@code maxQueued} requests wait beyond those the idle instances can take; a request past that is
 * refused at once (RESOURCE_EXHAUSTED), so overload shows as fast refusals a client can retry elsewhere instead of
 * as growing latency. A request whose deadline passes while it waits is not executed.
 */
final class BatchScheduler implements AutoCloseable {

    /**
     * How late a timed wait typically ends: a 500 µs {@code Condition.awaitNanos} on the project's 2-core machine
     * returned 80 to 100 µs late at the median. The maximum queue delay is a maximum, so the head stops waiting
     * this much early rather than that much late.
     */
    private static final long TIMER_LATENESS_NANOS = 100_000;

    /**
     * What one request got from the batch it ran in.
     *
     * @param logits       the request's own rows, [images x classes]
     * @param queueNanos   from queueing to the start of its batch
     * @param computeNanos the run of its batch
     */
    record Executed(float[] logits, long queueNanos, long computeNanos) {}

    private final String id;
    private final List<ExecutionPlan> instances;
    private final ModelSettings.Batching batching;
    /**
     * The longest the head waits for a fuller batch: the configured maximum less {@link #TIMER_LATENESS_NANOS}, so
     * that a wait that ends late still ends within the maximum.
     */
    private final long headWaitNanos;
    private final int maxBatchImages;
    private final int maxQueued;
    private final int classes;
    private final VersionMetrics metrics;
    /**
     * Guards the queue, the idle instances and the state of every request. Each request waits on a condition of its
     * own and is woken only when something concerns it (it became the head, an instance came back while it is the
     * head, its batch is done): with many requests queued, waking them all on every change would cost more CPU
     * than the models.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final ArrayDeque<ExecutionPlan> idle;

    /**
     * @param id             "model/version", for messages
     * @param instances      the execution instances; closed with this scheduler
     * @param maxBatchImages the most images one batch may carry
     * @param maxQueued      requests that may wait beyond those the idle instances take at once
     * @param classes        logits per image
     */
    BatchScheduler(String id, List<ExecutionPlan> instances, ModelSettings.Batching batching, int maxBatchImages,
            int maxQueued, int classes, VersionMetrics metrics) {
        this.id = id;
        this.instances = List.copyOf(instances);
        this.batching = batching;
        this.headWaitNanos = Math.max(0, TimeUnit.MICROSECONDS.toNanos(batching.maxQueueDelayMicros())
                - TIMER_LATENESS_NANOS);
        this.maxBatchImages = maxBatchImages;
        this.maxQueued = maxQueued;
        this.classes = classes;
        this.metrics = metrics;
        this.idle = new ArrayDeque<>(instances);
    }

    /**
     * Queues {@code images} images, waits until they ran in a batch, and returns their logits.
     *
     * @param deadlineNanoTime {@link System#nanoTime()} after which the client no longer waits, or
     *                         {@link Long#MAX_VALUE}
     */
    Executed run(float[] pixels, int images, long deadlineNanoTime) throws InferenceException {
        long now = System.nanoTime();
        boolean hasDeadline = deadlineNanoTime != Long.MAX_VALUE;
        if (hasDeadline && now - deadlineNanoTime >= 0) {
            throw deadlineExceeded("its deadline passed before it was queued");
        }
        Pending mine = new Pending(pixels, images, now, lock.newCondition());
        lock.lock();
        try {
            if (queue.size() >= maxQueued + idle.size()) {
                throw new InferenceException(InferenceException.Status.RESOURCE_EXHAUSTED, "model " + id
                        + " has " + maxQueued + " requests waiting, its limit; retry later or add replicas");
            }
            queue.addLast(mine);
            if (batching.enabled()) {
                // A head waiting for a fuller batch checks again.
                signalHead();
            }
            while (!mine.done) {
                long waitNanos = Long.MAX_VALUE;
                if (queue.peekFirst() == mine && !idle.isEmpty()) {
                    waitNanos = nanosUntilBatch(System.nanoTime());
                    if (waitNanos <= 0) {
                        runBatch();
                        continue;
                    }
                }
                if (hasDeadline) {
                    waitNanos = Math.min(waitNanos, deadlineNanoTime - System.nanoTime());
                }
                if (waitNanos == Long.MAX_VALUE) {
                    mine.wake.await();
                } else if (waitNanos > 0) {
                    mine.wake.awaitNanos(waitNanos);
                }
                if (!mine.taken && hasDeadline && System.nanoTime() - deadlineNanoTime >= 0) {
                    leaveQueue(mine);
                    throw deadlineExceeded("its deadline passed after " + (System.nanoTime() - now) / 1000
                            + " µs waiting in the queue");
                }
            }
        } catch (InterruptedException e) {
            if (!mine.taken) {
                leaveQueue(mine);
            }
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                    "interrupted while waiting for model " + id + "; the server is stopping");
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
        return new Executed(mine.logits, mine.batchStartNanos - now, mine.computeNanos);
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

    /** Closes every instance; no request may be running. */
    @Override
    public void close() {
        instances.forEach(ExecutionPlan::close);
    }

    /**
     * Nanoseconds until the head of the queue should run as a batch; 0 or less: now. Without batching it runs at
     * once; with batching once the queued requests fill the largest batch or make a preferred size, or once the
     * head waited the maximum queue delay.
     */
    private long nanosUntilBatch(long now) {
        if (!batching.enabled()) {
            return 0;
        }
        Fill fill = fill();
        if (fill.full || fill.preferredRequests > 0) {
            return 0;
        }
        return headWaitNanos - (now - queue.peekFirst().queuedNanos);
    }

    /**
     * Takes the batch off the queue and an instance, runs the batch without holding the lock, and then gives the
     * instance back and wakes the requests in it. Called by the head of the queue, holding the lock.
     */
    private void runBatch() {
        int count = 1;
        if (batching.enabled()) {
            Fill fill = fill();
            boolean waitedEnough = System.nanoTime() - queue.peekFirst().queuedNanos >= headWaitNanos;
            count = fill.full || waitedEnough || fill.preferredRequests == 0 ? fill.requests : fill.preferredRequests;
        }
        List<Pending> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Pending pending = queue.removeFirst();
            pending.taken = true;
            batch.add(pending);
        }
        ExecutionPlan instance = idle.removeFirst();
        // The next request is now the head and may form a batch on another idle instance.
        signalHead();
        lock.unlock();
        try {
            execute(instance, batch);
        } finally {
            lock.lock();
            idle.addFirst(instance);
            for (Pending pending : batch) {
                pending.done = true;
                pending.wake.signal();
            }
            signalHead();
        }
    }

    /** Runs one batch and gives each request its rows, or the failure. */
    private void execute(ExecutionPlan instance, List<Pending> batch) {
        int images = batch.stream().mapToInt(pending -> pending.images).sum();
        long merge = System.nanoTime();
        float[] pixels = batch.size() == 1 ? batch.getFirst().pixels : concatenate(batch, images);
        long start = System.nanoTime();
        PlanResult result;
        try {
            result = instance.run(pixels, images);
        } catch (OrtException | RuntimeException e) {
            InferenceException failure = new InferenceException(InferenceException.Status.INTERNAL, "model " + id
                    + " failed to run a batch of " + images + " images: " + e.getMessage(), e);
            batch.forEach(pending -> pending.failure = failure);
            return;
        }
        long end = System.nanoTime();
        int row = 0;
        for (Pending pending : batch) {
            pending.logits = batch.size() == 1 ? result.logits()
                    : Arrays.copyOfRange(result.logits(), row * classes, (row + pending.images) * classes);
            pending.batchStartNanos = start;
            pending.computeNanos = end - start;
            row += pending.images;
        }
        metrics.executed(images, batch.size(), start - merge, end - start, System.nanoTime() - end,
                result.branchNanos());
    }

    private static float[] concatenate(List<Pending> batch, int images) {
        float[] pixels = new float[images * (batch.getFirst().pixels.length / batch.getFirst().images)];
        int offset = 0;
        for (Pending pending : batch) {
            System.arraycopy(pending.pixels, 0, pixels, offset, pending.pixels.length);
            offset += pending.pixels.length;
        }
        return pixels;
    }

    /**
     * How the queue fills a batch: whole requests in order while they fit in the largest batch.
     *
     * @param requests          how many requests fit
     * @param full              the largest batch is reached, or the next request no longer fits
     * @param preferredRequests how many requests make the largest preferred size reached, or 0
     */
    private record Fill(int requests, boolean full, int preferredRequests) {}

    private Fill fill() {
        int images = 0;
        int requests = 0;
        int preferredRequests = 0;
        for (Pending pending : queue) {
            if (images + pending.images > maxBatchImages) {
                return new Fill(requests, true, preferredRequests);
            }
            images += pending.images;
            requests++;
            if (batching.preferredBatchSizes().contains(images)) {
                preferredRequests = requests;
            }
        }
        return new Fill(requests, images == maxBatchImages, preferredRequests);
    }

    private void leaveQueue(Pending pending) {
        boolean wasHead = queue.peekFirst() == pending;
        queue.remove(pending);
        if (wasHead) {
            signalHead();
        }
    }

    /** Wakes the request at the head of the queue, the only one that may form a batch. */
    private void signalHead() {
        Pending head = queue.peekFirst();
        if (head != null) {
            head.wake.signal();
        }
    }

    private InferenceException deadlineExceeded(String when) {
        return new InferenceException(InferenceException.Status.DEADLINE_EXCEEDED,
                "request for model " + id + " not executed: " + when);
    }

    /**
     * One request in the queue. The batch's runner writes the results without the lock, then sets {@code done}
     * under it, which publishes them to the request's thread.
     */
    private static final class Pending {
        final float[] pixels;
        final int images;
        final long queuedNanos;
        final Condition wake;
        boolean taken;
        boolean done;
        float[] logits;
        InferenceException failure;
        long batchStartNanos;
        long computeNanos;

        Pending(float[] pixels, int images, long queuedNanos, Condition wake) {
            this.pixels = pixels;
            this.images = images;
            this.queuedNanos = queuedNanos;
            this.wake = wake;
        }
    }
}
