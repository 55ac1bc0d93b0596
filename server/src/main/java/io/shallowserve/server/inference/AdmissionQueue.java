package io.shallowserve.server.inference;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded queue in front of one model: at most {@code maxConcurrent} executions at once and at most {@code
 * maxQueued} requests waiting for one. A request beyond that is refused at once, so that overload shows as fast
 * RESOURCE_EXHAUSTED answers a client can retry elsewhere instead of as growing latency. A request whose deadline
 * passes before it gets a slot is not executed.
 */
final class AdmissionQueue {

    private final String model;
    private final int maxQueued;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();

    AdmissionQueue(String model, int maxConcurrent, int maxQueued) {
        this.model = model;
        this.maxQueued = maxQueued;
        this.slots = new Semaphore(maxConcurrent, true);
    }

    /**
     * Waits for an execution slot; the caller must {@link #leave()} once it got one.
     *
     * @param deadlineNanoTime {@link System#nanoTime()} after which the client no longer waits, or
     *                         {@link Long#MAX_VALUE}
     * @return nanoseconds spent waiting
     */
    long enter(long deadlineNanoTime) throws InferenceException {
        long start = System.nanoTime();
        boolean hasDeadline = deadlineNanoTime != Long.MAX_VALUE;
        if (hasDeadline && start - deadlineNanoTime >= 0) {
            throw deadlineExceeded("its deadline passed before it was queued");
        }
        try {
            // tryAcquire with a timeout, unlike the plain one, respects the queue's fairness.
            if (slots.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                return System.nanoTime() - start;
            }
            int ahead = waiting.incrementAndGet();
            try {
                if (ahead > maxQueued) {
                    // Not ahead - 1: requests being refused at the same moment count in `waiting` too.
                    throw new InferenceException(InferenceException.Status.RESOURCE_EXHAUSTED, "model " + model
                            + " has " + maxQueued + " requests waiting, its limit; retry later or add replicas");
                }
                if (!hasDeadline) {
                    slots.acquire();
                } else if (!slots.tryAcquire(deadlineNanoTime - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                    throw deadlineExceeded("its deadline passed after " + (System.nanoTime() - start) / 1000
                            + " µs waiting in the queue");
                }
            } finally {
                waiting.decrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Status.UNAVAILABLE,
                    "interrupted while waiting for model " + model + "; the server is stopping");
        }
        long now = System.nanoTime();
        if (hasDeadline && now - deadlineNanoTime >= 0) {
            slots.release();
            throw deadlineExceeded("its deadline passed while it was queued");
        }
        return now - start;
    }

    /** Gives back the slot {@link #enter(long)} took. */
    void leave() {
        slots.release();
    }

    /** Requests waiting for a slot now. */
    int waiting() {
        return waiting.get();
    }

    private InferenceException deadlineExceeded(String when) {
        return new InferenceException(InferenceException.Status.DEADLINE_EXCEEDED,
                "request for model " + model + " not executed: " + when);
    }
}
